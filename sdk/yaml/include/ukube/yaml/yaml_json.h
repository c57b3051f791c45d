#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

namespace YAML {
class Node;
}

// YAML as JSON, resolved by the YAML 1.2 core schema: quoted and !!str scalars are
// strings; plain ones are null (~, null, empty), booleans (true/false in three cases),
// integers (decimal, 0o, 0x), floats, or strings. JSON has no infinities or NaN: .inf
// and .nan become the strings "Infinity" and "NaN" (what Protobuf's JSON accepts).
namespace ukube::yaml {

struct YamlError : std::runtime_error {
  YamlError(int line_number, const std::string& message) : std::runtime_error(message), line(line_number) {}
  int line;  // 1-based; 0 when unknown
};

// One scalar node's value (quoted, plain or tagged).
boost::json::value scalar_to_json(const YAML::Node& node);
// A plain scalar's value.
boost::json::value plain_scalar(const std::string& text);
// "!" is what yaml-cpp gives quoted and block scalars; "!!str" forces a string too.
bool is_string_tagged(const YAML::Node& node);
// 1-based line of a node, 0 when it did not come from a parser.
int line_of(const YAML::Node& node);

// A node tree. Throws YamlError for a key that is not a scalar, or one given twice.
boost::json::value node_to_json(const YAML::Node& node);
// Every document of a YAML stream (JSON is YAML too), empty ones left out. Throws
// YamlError naming the line of a syntax error.
std::vector<boost::json::value> documents_to_json(std::string_view text);

}  // namespace ukube::yaml
