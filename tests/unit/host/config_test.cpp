#include "kernel/host/config.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "kernel/host/errors.h"
#include "kernel/host/yaml_json.h"

namespace ukube::host {
namespace {

// The ConfigError message for `yaml`, or "" when it parses.
std::string error_of(const std::string& yaml) {
  try {
    parse_config(yaml, "test.yaml");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(Config, EmptyFileMeansDefaults) {
  DaemonConfig config = parse_config("", "empty.yaml");
  EXPECT_EQ(config.source, "empty.yaml");
  EXPECT_EQ(config.data_dir, "data");
  EXPECT_EQ(config.listen, "127.0.0.1:6443");
  EXPECT_EQ(config.log_level, "info");
  EXPECT_TRUE(config.plugin_dirs.empty());
  EXPECT_TRUE(config.plugins.empty());
}

TEST(Config, ReadsEverySetting) {
  DaemonConfig config = parse_config(R"(
data_dir: /var/lib/ukube
listen: 0.0.0.0:7443
log_level: debug
plugin_dirs: [/opt/ukube/plugins, extra]
plugins:
  - uri: ukube.test.v1.alpha
    config:
      value: 3
      listen: {port: 80, host: "0.0.0.0"}
  - uri: ukube.test.v1.beta
    enabled: false
)",
                                     "daemon.yaml");
  EXPECT_EQ(config.data_dir, "/var/lib/ukube");
  EXPECT_EQ(config.listen, "0.0.0.0:7443");
  EXPECT_EQ(config.log_level, "debug");
  ASSERT_EQ(config.plugin_dirs.size(), 2u);
  EXPECT_EQ(config.plugin_dirs[1], "extra");
  ASSERT_EQ(config.plugins.size(), 2u);
  const PluginConfig& alpha = config.plugins[0];
  EXPECT_EQ(alpha.uri, "ukube.test.v1.alpha");
  EXPECT_EQ(alpha.type(), "ukube.test.v1");
  EXPECT_EQ(alpha.id(), "alpha");
  EXPECT_TRUE(alpha.enabled);
  EXPECT_EQ(alpha.line, 7);
  EXPECT_EQ(boost::json::serialize(alpha.config), R"({"value":3,"listen":{"port":80,"host":"0.0.0.0"}})");
  EXPECT_EQ(alpha.config_lines.at("config.value"), 9);
  EXPECT_EQ(alpha.config_lines.at("config.listen.host"), 10);
  EXPECT_FALSE(config.plugins[1].enabled);
  EXPECT_TRUE(config.plugins[1].config.is_null());
  EXPECT_EQ(config.find("ukube.test.v1.beta"), &config.plugins[1]);
  EXPECT_EQ(config.find("ukube.test.v1.gamma"), nullptr);
}

TEST(Config, UnknownTopLevelKeyNamesFileLineAndFix) {
  EXPECT_EQ(
      error_of("data_dir: /x\nplugin_dir: [/opt]\n"),
      "test.yaml:2: unknown top-level setting \"plugin_dir\"; did you mean plugin_dirs? known settings: "
      "data_dir, listen, log_level, plugin_dirs, plugins, encryption_config");
}

TEST(Config, UnknownPluginKeyIsAnError) {
  std::string error = error_of("plugins:\n  - uri: a.b\n    enable: false\n");
  EXPECT_NE(error.find("test.yaml:3: unknown plugin setting \"enable\"; did you mean enabled?"),
            std::string::npos)
      << error;
}

TEST(Config, WrongTypesAreErrors) {
  EXPECT_NE(error_of("- a\n- b\n").find("test.yaml:1: the config must be a mapping"), std::string::npos);
  EXPECT_NE(error_of("plugins: ukube.test.v1.alpha\n").find("test.yaml:1: plugins must be a list"),
            std::string::npos);
  EXPECT_NE(error_of("plugin_dirs: /opt\n").find("test.yaml:1: plugin_dirs must be a list"),
            std::string::npos);
  EXPECT_NE(error_of("data_dir: [a]\n").find("data_dir must be a path, not a list"), std::string::npos);
  EXPECT_NE(error_of("plugins:\n  - ukube.test.v1.alpha\n")
                .find("test.yaml:2: each plugins entry must be a mapping"),
            std::string::npos);
  EXPECT_NE(error_of("plugins:\n  - uri: a.b\n    enabled: yes\n")
                .find("test.yaml:3: plugin a.b: enabled must be true or false"),
            std::string::npos);
  EXPECT_NE(error_of("plugins:\n  - uri: a.b\n    enabled: \"true\"\n").find("enabled must be true or false"),
            std::string::npos);
  EXPECT_NE(error_of("plugins:\n  - uri: a.b\n    config: [1]\n")
                .find("test.yaml:3: plugin a.b: config must be a mapping"),
            std::string::npos);
  EXPECT_NE(error_of("listen: 6443\n").find("listen must be host:port"), std::string::npos);
  EXPECT_NE(error_of("listen: localhost:99999\n").find("listen must be host:port"), std::string::npos);
  EXPECT_NE(error_of("log_level: loud\n").find("unknown log_level \"loud\"; use one of trace, debug"),
            std::string::npos);
}

TEST(Config, PluginEntriesNeedAValidUri) {
  EXPECT_NE(error_of("plugins:\n  - enabled: true\n").find("test.yaml:2: plugin entry has no uri"),
            std::string::npos);
  EXPECT_NE(error_of("plugins:\n  - uri: runc\n").find("plugin uri \"runc\" is not <type>.<id>"),
            std::string::npos);
  EXPECT_NE(error_of("plugins:\n  - uri: ukube..runc\n").find("is not <type>.<id>"), std::string::npos);
  EXPECT_NE(error_of("plugins:\n  - uri: ukube/runtime.runc\n").find("is not <type>.<id>"),
            std::string::npos);
}

TEST(Config, DuplicateUrisAreAnError) {
  EXPECT_EQ(
      error_of("plugins:\n  - uri: ukube.test.v1.alpha\n  - uri: ukube.test.v1.beta\n"
               "  - uri: ukube.test.v1.alpha\n    enabled: false\n"),
      "test.yaml:4: plugin ukube.test.v1.alpha is listed twice (first at line 2); merge the two entries");
}

TEST(Config, DuplicateKeysAreAnError) {
  EXPECT_NE(error_of("data_dir: a\ndata_dir: b\n").find("test.yaml:2: duplicate key \"data_dir\""),
            std::string::npos);
  EXPECT_NE(error_of("plugins:\n  - uri: a.b\n    config:\n      x: 1\n      x: 2\n")
                .find("test.yaml:5: duplicate key \"config.x\" (first at line 4)"),
            std::string::npos);
}

TEST(Config, InvalidYamlNamesTheLine) {
  std::string error = error_of("plugins:\n  - uri: a.b\n    config: {x: 1\n");
  EXPECT_EQ(error.rfind("test.yaml:", 0), 0u) << error;
  EXPECT_NE(error.find("invalid YAML"), std::string::npos) << error;
}

TEST(Config, LoadConfigNamesAMissingFile) {
  try {
    load_config("/nonexistent/ukube.yaml");
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/ukube.yaml: cannot read the config file"),
              std::string::npos);
  }
}

TEST(Config, UriValidation) {
  EXPECT_TRUE(is_valid_uri("ukube.runtime.v1.runc"));
  EXPECT_TRUE(is_valid_uri("a.b"));
  EXPECT_TRUE(is_valid_uri("ukube.csi-local.v1.host_path"));
  EXPECT_FALSE(is_valid_uri("runc"));
  EXPECT_FALSE(is_valid_uri("a."));
  EXPECT_FALSE(is_valid_uri(".a"));
  EXPECT_FALSE(is_valid_uri("a b.c"));
}

// YAML scalars become the JSON a reader of the YAML expects.
std::string as_json(const std::string& yaml) {
  std::map<std::string, int> lines;
  return boost::json::serialize(yaml_to_json(YAML::Load(yaml), "config", "test.yaml", lines));
}

TEST(YamlToJson, TypesPlainScalarsAndKeepsQuotedOnesStrings) {
  EXPECT_EQ(as_json("{a: true, b: False, c: \"true\", d: 'false'}"),
            R"({"a":true,"b":false,"c":"true","d":"false"})");
  EXPECT_EQ(as_json("{a: 42, b: -7, c: \"42\", d: 0x1f, e: 0o17, f: +3}"),
            R"({"a":42,"b":-7,"c":"42","d":31,"e":15,"f":3})");
  EXPECT_EQ(as_json("{a: 4.5, b: 1e3, c: .inf, d: -.inf, e: .nan}"),
            R"({"a":4.5E0,"b":1E3,"c":"Infinity","d":"-Infinity","e":"NaN"})");
  EXPECT_EQ(as_json("{a: ~, b: null, c:, d: \"null\", e: ''}"),
            R"({"a":null,"b":null,"c":null,"d":"null","e":""})");
  EXPECT_EQ(as_json("{a: hello, b: 1.2.3, c: 007x, d: yes}"),
            R"({"a":"hello","b":"1.2.3","c":"007x","d":"yes"})");
  EXPECT_EQ(as_json("{a: 18446744073709551615, b: 99999999999999999999999}"),
            R"({"a":18446744073709551615,"b":"99999999999999999999999"})");
  EXPECT_EQ(as_json("{a: !!str 12}"), R"({"a":"12"})");
  EXPECT_EQ(as_json("a: |\n  line\n"), R"({"a":"line\n"})");
}

TEST(YamlToJson, ListsAndNestedMapsRecordLines) {
  std::map<std::string, int> lines;
  auto json = yaml_to_json(YAML::Load("items:\n  - name: a\n  - name: b\n"), "config", "f.yaml", lines);
  EXPECT_EQ(boost::json::serialize(json), R"({"items":[{"name":"a"},{"name":"b"}]})");
  EXPECT_EQ(lines.at("config.items"), 1);
  EXPECT_EQ(lines.at("config.items[1]"), 3);
  EXPECT_EQ(lines.at("config.items[1].name"), 3);
}

TEST(YamlToJson, RejectsNonScalarKeys) {
  std::map<std::string, int> lines;
  EXPECT_THROW(yaml_to_json(YAML::Load("? [a, b]\n: 1\n"), "config", "f.yaml", lines), ConfigError);
}

}  // namespace
}  // namespace ukube::host
