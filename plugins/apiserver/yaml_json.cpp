#include "yaml_json.h"

#include <boost/json.hpp>

#include "ukube/errors.h"
#include "ukube/yaml/yaml_json.h"

namespace ukube::apiserver {

std::string yaml_to_json(std::string_view text) {
  try {
    auto documents = yaml::documents_to_json(text);
    return boost::json::serialize(documents.empty() ? boost::json::value() : documents.front());
  } catch (const yaml::YamlError& e) {
    throw ApiError::bad_request("error converting YAML to JSON: line " + std::to_string(e.line) + ": " +
                                e.what());
  }
}

}  // namespace ukube::apiserver
