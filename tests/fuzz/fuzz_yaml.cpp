// YAML request bodies and manifests (kubectl apply -f, static pods): converting any text
// to JSON documents ends with documents or a YamlError naming the line, never a crash or
// another exception.
#include <cstdint>
#include <exception>
#include <string>

#include "ukube/yaml/yaml_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    ukube::yaml::documents_to_json(text);
  } catch (const ukube::yaml::YamlError&) {
  }
  return 0;
}
