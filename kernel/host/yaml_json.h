#pragma once

#include <map>
#include <string>

#include <yaml-cpp/yaml.h>
#include <boost/json/value.hpp>

namespace ukube::host {

// Converts a YAML node to JSON the way a reader of the YAML expects: quoted scalars stay
// strings; plain scalars follow the YAML 1.2 core schema (true/false, integers, floats,
// null/~, .inf/.nan become the strings Protobuf's JSON accepts for them); mappings become
// objects and sequences arrays. `path` names the node ("config"); the line of every key
// below it is recorded in `lines` under its path ("config.listen.port", "config.items[1]").
// Throws ConfigError (prefixed with `source`) on duplicate or non-scalar keys.
boost::json::value yaml_to_json(const YAML::Node& node, const std::string& path, const std::string& source,
                                std::map<std::string, int>& lines);

// 1-based line of a node, 0 when the node did not come from a parser.
int line_of(const YAML::Node& node);

}  // namespace ukube::host
