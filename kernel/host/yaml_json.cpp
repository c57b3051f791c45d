#include "kernel/host/yaml_json.h"

#include "kernel/host/errors.h"
#include "ukube/yaml/yaml_json.h"

namespace ukube::host {
namespace {

std::string where(const std::string& source, const YAML::Node& node) {
  int line = line_of(node);
  return line ? source + ":" + std::to_string(line) : source;
}

}  // namespace

int line_of(const YAML::Node& node) {
  return yaml::line_of(node);
}

boost::json::value yaml_to_json(const YAML::Node& node, const std::string& path, const std::string& source,
                                std::map<std::string, int>& lines) {
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
    case YAML::NodeType::Scalar: return yaml::scalar_to_json(node);
    case YAML::NodeType::Sequence: {
      boost::json::array array;
      for (std::size_t i = 0; i < node.size(); ++i) {
        std::string item_path = path + "[" + std::to_string(i) + "]";
        lines[item_path] = line_of(node[i]);
        array.push_back(yaml_to_json(node[i], item_path, source, lines));
      }
      return array;
    }
    case YAML::NodeType::Map: {
      boost::json::object object;
      for (const auto& entry : node) {
        if (!entry.first.IsScalar())
          throw ConfigError(where(source, entry.first) + ": keys under " + path +
                            " must be plain names; use a scalar key");
        const std::string& key = entry.first.Scalar();
        std::string key_path = path + "." + key;
        if (object.contains(key))
          throw ConfigError(where(source, entry.first) + ": duplicate key \"" + key_path +
                            "\" (first at line " + std::to_string(lines[key_path]) + "); keep only one");
        lines[key_path] = line_of(entry.first);
        object[key] = yaml_to_json(entry.second, key_path, source, lines);
      }
      return object;
    }
  }
  return nullptr;
}

}  // namespace ukube::host
