#include "media.h"

#include <algorithm>
#include <cctype>
#include <map>

namespace ukube::apiserver {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

struct MediaRange {
  std::string type;  // e.g. application/json
  std::map<std::string, std::string> params;
};

MediaRange parse_range(std::string_view text) {
  MediaRange r;
  auto semi = text.find(';');
  r.type = lower(trim(text.substr(0, semi)));
  while (semi != std::string_view::npos) {
    text.remove_prefix(semi + 1);
    semi = text.find(';');
    std::string_view param = trim(text.substr(0, semi));
    auto eq = param.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view value = trim(param.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
      value = value.substr(1, value.size() - 2);
    r.params[lower(trim(param.substr(0, eq)))] = std::string(value);
  }
  return r;
}

bool json_compatible(const std::string& type) {
  return type == "application/json" || type == "application/*" || type == "*/*" || type.empty();
}

}  // namespace

Representation negotiate(std::string_view accept) {
  while (!accept.empty()) {
    auto comma = accept.find(',');
    MediaRange r = parse_range(accept.substr(0, comma));
    accept = comma == std::string_view::npos ? std::string_view() : accept.substr(comma + 1);
    if (!json_compatible(r.type)) continue;
    auto param = [&](const char* name) {
      auto it = r.params.find(name);
      return it == r.params.end() ? std::string() : it->second;
    };
    std::string as = param("as"), group = param("g"), version = param("v");
    if (as.empty()) return Representation::Plain;
    if (as == "Table" && group == "meta.k8s.io" && (version == "v1" || version == "v1beta1"))
      return Representation::Table;
    if ((as == "PartialObjectMetadata" || as == "PartialObjectMetadataList") && group == "meta.k8s.io" &&
        (version == "v1" || version == "v1beta1"))
      return Representation::PartialMetadata;
    if (as == "APIGroupDiscoveryList" && group == "apidiscovery.k8s.io") {
      if (version == "v2") return Representation::DiscoveryV2;
      if (version == "v2beta1") return Representation::DiscoveryV2Beta1;
    }
    // An `as=` we do not produce (e.g. PartialObjectMetadata): try the next alternative.
  }
  return Representation::Plain;
}

std::string content_type_for(Representation r) {
  switch (r) {
    case Representation::Table: return "application/json;as=Table;v=v1;g=meta.k8s.io";
    case Representation::PartialMetadata:
      return "application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io";
    case Representation::DiscoveryV2:
      return "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";
    case Representation::DiscoveryV2Beta1:
      return "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList";
    case Representation::Plain: break;
  }
  return "application/json";
}

std::string media_type(std::string_view content_type) {
  return lower(trim(content_type.substr(0, content_type.find(';'))));
}

}  // namespace ukube::apiserver
