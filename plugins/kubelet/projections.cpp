#include "projections.h"

#include <boost/json.hpp>
#include <stdexcept>

#include "ukube/base64.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/resources.h"

namespace ukube::kubelet {
namespace {

namespace json = boost::json;
using machinery::object_at;
using machinery::string_at;

constexpr uint32_t kDefaultMode = 0644;

uint32_t mode_of(const json::object& o, uint32_t fallback) {
  const auto* m = machinery::value_at(o, {"mode"});
  return m && m->is_int64() ? static_cast<uint32_t>(m->as_int64()) : fallback;
}

uint32_t default_mode(const json::object& source) {
  const auto* m = machinery::value_at(source, {"defaultMode"});
  return m && m->is_int64() ? static_cast<uint32_t>(m->as_int64()) : kDefaultMode;
}

// The keys of a ConfigMap (data and binaryData) or Secret (data, base64), decoded.
std::map<std::string, std::string> keys_of(const std::string& kind, const json::object& object) {
  std::map<std::string, std::string> out;
  if (const auto* data = object_at(object, {"data"}))
    for (const auto& [key, value] : *data)
      if (value.is_string())
        out[std::string(key)] = kind == "Secret" ? base64_decode(std::string(value.as_string())).value_or("")
                                                 : std::string(value.as_string());
  if (const auto* binary = object_at(object, {"binaryData"}))
    for (const auto& [key, value] : *binary)
      if (value.is_string())
        out[std::string(key)] = base64_decode(std::string(value.as_string())).value_or("");
  return out;
}

// A configMap or secret source: every key, or the listed items.
void object_files(const std::string& kind, const json::object& source, uint32_t mode,
                  const ProjectionInputs& in, FileSet& out) {
  const char* name_field = kind == "Secret" ? "secretName" : "name";
  std::string name = string_at(source, {name_field});
  if (name.empty()) name = string_at(source, {"name"});
  const bool optional = machinery::bool_at(source, {"optional"}).value_or(false);
  const std::string lower = kind == "Secret" ? "secret" : "configmap";
  ObjectPtr object = in.lookup(kind, machinery::namespace_of(*in.pod.pod), name);
  if (!object) {
    if (optional) return;
    throw std::runtime_error(lower + " \"" + name + "\" not found");
  }
  const auto keys = keys_of(kind, *object);
  const auto* items = machinery::array_at(source, {"items"});
  if (!items || items->empty()) {
    for (const auto& [key, data] : keys) out[key] = {data, mode};
    return;
  }
  for (const auto& item : *items) {
    const auto& o = machinery::object_or_empty(item.if_object());
    const std::string key = string_at(o, {"key"});
    auto found = keys.find(key);
    if (found == keys.end()) {
      if (optional) continue;
      throw std::runtime_error(lower + " references non-existent " +
                               (kind == "Secret" ? "secret" : "config") + " key: " + key);
    }
    out[string_at(o, {"path"})] = {found->second, mode_of(o, mode)};
  }
}

// key="value" lines, sorted by key, as upstream writes labels and annotations.
std::string format_map(const json::object* map) {
  std::map<std::string, std::string> sorted;
  if (map)
    for (const auto& [k, v] : *map)
      if (v.is_string()) sorted[std::string(k)] = std::string(v.as_string());
  std::string out;
  for (const auto& [k, v] : sorted) {
    if (!out.empty()) out += '\n';
    out += k + "=" + json::serialize(json::value(v));
  }
  return out;
}

void downward_files(const json::object& source, uint32_t mode, const ProjectionInputs& in, FileSet& out) {
  const json::object& pod = *in.pod.pod;
  machinery::for_each_object(machinery::array_at(source, {"items"}), [&](const json::object& item, size_t) {
    std::string data;
    if (const auto* f = object_at(item, {"fieldRef"})) {
      const std::string path = string_at(*f, {"fieldPath"});
      if (path == "metadata.labels")
        data = format_map(object_at(pod, {"metadata", "labels"}));
      else if (path == "metadata.annotations")
        data = format_map(object_at(pod, {"metadata", "annotations"}));
      else
        data = field_ref(in.pod, path);
    } else if (const auto* r = object_at(item, {"resourceFieldRef"})) {
      const std::string container = string_at(*r, {"containerName"});
      const json::object* found = nullptr;
      machinery::for_each_object(machinery::array_at(pod, {"spec", "containers"}),
                                 [&](const json::object& c, size_t) {
                                   if (!found && (container.empty() || string_at(c, {"name"}) == container))
                                     found = &c;
                                 });
      if (!found) throw std::runtime_error("downwardAPI: no container named \"" + container + "\"");
      data = resource_field_ref(*found, *r);
    }
    out[string_at(item, {"path"})] = {data, mode_of(item, mode)};
  });
}

}  // namespace

bool is_projected_kind(const json::object& volume) {
  return volume.contains("configMap") || volume.contains("secret") || volume.contains("downwardAPI") ||
         volume.contains("projected");
}

FileSet volume_files(const json::object& volume, const ProjectionInputs& in) {
  FileSet out;
  if (const auto* c = object_at(volume, {"configMap"})) {
    object_files("ConfigMap", *c, default_mode(*c), in, out);
  } else if (const auto* s = object_at(volume, {"secret"})) {
    object_files("Secret", *s, default_mode(*s), in, out);
  } else if (const auto* d = object_at(volume, {"downwardAPI"})) {
    downward_files(*d, default_mode(*d), in, out);
  } else if (const auto* p = object_at(volume, {"projected"})) {
    const uint32_t mode = default_mode(*p);
    machinery::for_each_object(machinery::array_at(*p, {"sources"}), [&](const json::object& source, size_t) {
      if (const auto* c = object_at(source, {"configMap"}))
        object_files("ConfigMap", *c, mode, in, out);
      else if (const auto* s = object_at(source, {"secret"}))
        object_files("Secret", *s, mode, in, out);
      else if (const auto* d = object_at(source, {"downwardAPI"}))
        downward_files(*d, mode, in, out);
      else if (const auto* t = object_at(source, {"serviceAccountToken"}))
        out[string_at(*t, {"path"})] = {
            in.token(string_at(*t, {"audience"}), machinery::int_or(*t, {"expirationSeconds"}, 3600)), mode};
    });
  }
  return out;
}

}  // namespace ukube::kubelet
