#include "kernel/host/config.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "kernel/host/errors.h"
#include "kernel/host/text.h"
#include "kernel/host/yaml_json.h"

namespace ukube::host {
namespace {

const std::vector<std::string> kTopLevelKeys = {"data_dir",    "listen",  "log_level",
                                                "plugin_dirs", "plugins", "encryption_config"};
const std::vector<std::string> kPluginKeys = {"uri", "enabled", "optional", "config"};
const std::vector<std::string> kLogLevels = {"trace", "debug", "info", "warn", "error", "critical", "off"};

const char* kind_of(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: return "a mapping";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Scalar: return "a scalar";
    default: return "nothing";
  }
}

class Parser {
 public:
  explicit Parser(std::string source) : source_(std::move(source)) {}

  DaemonConfig parse(std::string_view text) {
    YAML::Node loaded;
    try {
      loaded = YAML::Load(std::string(text));
    } catch (const YAML::ParserException& e) {
      throw ConfigError(source_ + ":" + std::to_string(e.mark.line + 1) + ": invalid YAML: " + e.msg);
    }
    // Const access never inserts the keys it looks up.
    const YAML::Node& root = loaded;
    DaemonConfig config;
    config.source = source_;
    if (root.IsNull()) return config;  // an empty file means every default
    if (!root.IsMap())
      fail(root, "the config must be a mapping of settings (data_dir, plugins, ...), not " +
                     std::string(kind_of(root)));
    check_keys(root, kTopLevelKeys, "top-level setting");
    if (auto n = root["data_dir"]; n && !n.IsNull()) config.data_dir = string_of(n, "data_dir", "a path");
    if (auto n = root["listen"]; n && !n.IsNull()) config.listen = listen_of(n);
    if (auto n = root["log_level"]; n && !n.IsNull()) config.log_level = log_level_of(n);
    if (auto n = root["encryption_config"]; n && !n.IsNull())
      config.encryption_config =
          string_of(n, "encryption_config", "the path of an EncryptionConfiguration file");
    if (auto n = root["plugin_dirs"]; n && !n.IsNull()) {
      if (!n.IsSequence()) fail(n, "plugin_dirs must be a list of directories, e.g. [/opt/ukube/plugins]");
      for (const auto& dir : n)
        config.plugin_dirs.emplace_back(string_of(dir, "each plugin_dirs entry", "a path"));
    }
    if (auto n = root["plugins"]; n && !n.IsNull()) {
      if (!n.IsSequence()) fail(n, "plugins must be a list of entries, each with a uri");
      for (const auto& entry : n) config.plugins.push_back(plugin_of(entry, config));
    }
    return config;
  }

 private:
  [[noreturn]] void fail(const YAML::Node& at, const std::string& message) const {
    int line = line_of(at);
    throw ConfigError((line ? source_ + ":" + std::to_string(line) : source_) + ": " + message);
  }

  void check_keys(const YAML::Node& map, const std::vector<std::string>& known,
                  const std::string& what) const {
    std::set<std::string> seen;
    for (const auto& entry : map) {
      if (!entry.first.IsScalar()) fail(entry.first, "keys must be plain names");
      const std::string& key = entry.first.Scalar();
      if (!seen.insert(key).second) fail(entry.first, "duplicate key \"" + key + "\"; keep only one");
      if (std::find(known.begin(), known.end(), key) != known.end()) continue;
      std::string hint;
      if (auto near = near_names(key, known); !near.empty()) hint = "did you mean " + or_list(near) + "? ";
      fail(entry.first,
           "unknown " + what + " \"" + key + "\"; " + hint + "known settings: " + join(known, ", "));
    }
  }

  std::string string_of(const YAML::Node& node, const std::string& what, const std::string& expected) const {
    if (!node.IsScalar()) fail(node, what + " must be " + expected + ", not " + kind_of(node));
    return node.Scalar();
  }

  std::string listen_of(const YAML::Node& node) const {
    std::string value = string_of(node, "listen", "host:port");
    auto colon = value.rfind(':');
    int port = 0;
    bool ok = colon != std::string::npos && colon > 0;
    if (ok) {
      std::string digits = value.substr(colon + 1);
      ok = !digits.empty() && digits.size() <= 5 &&
           digits.find_first_not_of("0123456789") == std::string::npos;
      if (ok) port = std::stoi(digits);
    }
    if (!ok || port < 0 || port > 65535)
      fail(node,
           "listen must be host:port with a port from 0 to 65535 (0: any free port), e.g. 127.0.0.1:6443; "
           "got \"" +
               value + "\"");
    return value;
  }

  std::string log_level_of(const YAML::Node& node) const {
    std::string value = string_of(node, "log_level", "a level name");
    if (std::find(kLogLevels.begin(), kLogLevels.end(), value) == kLogLevels.end())
      fail(node, "unknown log_level \"" + value + "\"; use one of " + join(kLogLevels, ", "));
    return value;
  }

  PluginConfig plugin_of(const YAML::Node& node, const DaemonConfig& config) const {
    if (!node.IsMap())
      fail(node, "each plugins entry must be a mapping with a uri, e.g. {uri: ukube.runtime.v1.runc}");
    check_keys(node, kPluginKeys, "plugin setting");
    PluginConfig plugin;
    plugin.line = line_of(node);
    auto uri = node["uri"];
    if (!uri) fail(node, "plugin entry has no uri; add uri: <type>.<id>, e.g. ukube.runtime.v1.runc");
    plugin.uri = string_of(uri, "uri", "a plugin URI (<type>.<id>)");
    if (!is_valid_uri(plugin.uri))
      fail(uri, "plugin uri \"" + plugin.uri +
                    "\" is not <type>.<id> (dot-separated letters, digits, '_' and '-'), e.g. "
                    "ukube.runtime.v1.runc");
    if (const PluginConfig* first = config.find(plugin.uri))
      fail(uri, "plugin " + plugin.uri + " is listed twice (first at line " + std::to_string(first->line) +
                    "); merge the two entries");
    if (auto enabled = node["enabled"]; enabled && !enabled.IsNull()) {
      std::map<std::string, int> unused;
      boost::json::value v = yaml_to_json(enabled, "enabled", source_, unused);
      if (!v.is_bool()) fail(enabled, "plugin " + plugin.uri + ": enabled must be true or false");
      plugin.enabled = v.get_bool();
    }
    if (auto optional = node["optional"]; optional && !optional.IsNull()) {
      std::map<std::string, int> unused;
      boost::json::value v = yaml_to_json(optional, "optional", source_, unused);
      if (!v.is_bool()) fail(optional, "plugin " + plugin.uri + ": optional must be true or false");
      plugin.optional = v.get_bool();
    }
    if (auto body = node["config"]; body && !body.IsNull()) {
      if (!body.IsMap())
        fail(body, "plugin " + plugin.uri + ": config must be a mapping of the plugin's settings, not " +
                       kind_of(body));
      plugin.config = yaml_to_json(body, "config", source_, plugin.config_lines);
    }
    return plugin;
  }

  std::string source_;
};

}  // namespace

std::string PluginConfig::type() const {
  auto dot = uri.rfind('.');
  return dot == std::string::npos ? std::string() : uri.substr(0, dot);
}

std::string PluginConfig::id() const {
  return uri.substr(uri.rfind('.') + 1);
}

const PluginConfig* DaemonConfig::find(std::string_view uri) const {
  for (const auto& plugin : plugins)
    if (plugin.uri == uri) return &plugin;
  return nullptr;
}

bool is_valid_uri(std::string_view uri) {
  std::size_t segments = 0;
  while (true) {
    auto dot = uri.find('.');
    std::string_view segment = uri.substr(0, dot);
    if (segment.empty()) return false;
    for (char c : segment)
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') return false;
    ++segments;
    if (dot == std::string_view::npos) break;
    uri.remove_prefix(dot + 1);
  }
  return segments >= 2;
}

DaemonConfig load_config(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in)
    throw ConfigError(file.string() + ": cannot read the config file: " + std::strerror(errno) +
                      "; pass an existing file with --config");
  std::stringstream text;
  text << in.rdbuf();
  return parse_config(text.str(), file.string());
}

DaemonConfig parse_config(std::string_view yaml, std::string source) {
  return Parser(std::move(source)).parse(yaml);
}

}  // namespace ukube::host
