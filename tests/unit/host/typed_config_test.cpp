#include "kernel/host/typed_config.h"

#include <cmath>

#include <google/protobuf/empty.pb.h>
#include <gtest/gtest.h>

#include "test_plugin.pb.h"

namespace ukube::host {
namespace {

using ukube::test::TestPluginConfig;

PluginDescriptor typed_descriptor() {
  PluginDescriptor d;
  d.config_prototype = &TestPluginConfig::default_instance();
  return d;
}

PluginConfig entry_from(const std::string& yaml) {
  return parse_config("plugins:\n  - uri: ukube.test.v1.alpha\n    config:\n" + yaml, "test.yaml")
      .plugins.at(0);
}

std::shared_ptr<const TestPluginConfig> build(const std::string& yaml) {
  auto message = build_plugin_config(typed_descriptor(), entry_from(yaml));
  return std::dynamic_pointer_cast<const TestPluginConfig>(message);
}

// "<line>: <message>" of the TypedConfigError `yaml` raises, or "" when it parses.
std::string error_of(const std::string& yaml, const PluginDescriptor& d = typed_descriptor()) {
  try {
    build_plugin_config(d, entry_from(yaml));
  } catch (const TypedConfigError& e) {
    return std::to_string(e.line) + ": " + e.what();
  }
  return "";
}

TEST(TypedConfig, FillsTheMessage) {
  auto config = build(
      "      value: 7\n"
      "      traceFile: /tmp/t\n"  // the JSON name works as well as the proto name
      "      listen: {port: 8080, host: \"::1\"}\n"
      "      items: [{name: a, size: 10}, {name: b, size: \"20\"}]\n"
      "      limits: {cpu: 2}\n"
      "      mode: SLOW\n"
      "      ratio: .inf\n"
      "      timeout: 1.5s\n"
      "      expect_visible: [alpha]\n");
  ASSERT_NE(config, nullptr);
  EXPECT_EQ(config->value(), 7);
  EXPECT_EQ(config->trace_file(), "/tmp/t");
  EXPECT_EQ(config->listen().port(), 8080);
  EXPECT_EQ(config->listen().host(), "::1");
  ASSERT_EQ(config->items_size(), 2);
  EXPECT_EQ(config->items(1).size(), 20);
  EXPECT_EQ(config->limits().at("cpu"), 2);
  EXPECT_EQ(config->mode(), ukube::test::SLOW);
  EXPECT_TRUE(std::isinf(config->ratio()));
  EXPECT_EQ(config->timeout().seconds(), 1);
  EXPECT_EQ(config->timeout().nanos(), 500000000);
}

TEST(TypedConfig, AbsentConfigGivesDefaults) {
  PluginConfig entry = parse_config("plugins:\n  - uri: ukube.test.v1.alpha\n", "test.yaml").plugins.at(0);
  auto message = build_plugin_config(typed_descriptor(), entry);
  auto config = std::dynamic_pointer_cast<const TestPluginConfig>(message);
  ASSERT_NE(config, nullptr);
  EXPECT_EQ(config->value(), 0);
}

TEST(TypedConfig, UnknownNestedFieldNamesPathKnownFieldsAndLine) {
  EXPECT_EQ(error_of("      value: 1\n      listen:\n        prot: 80\n"),
            "6: unknown field \"config.listen.prot\" (known fields: port, host); did you mean port?");
}

TEST(TypedConfig, UnknownTopLevelFieldListsKnownFields) {
  std::string error = error_of("      valeu: 1\n");
  EXPECT_NE(error.find("4: unknown field \"config.valeu\" (known fields: trace_file, value, fail_init, "),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("did you mean value?"), std::string::npos) << error;
}

TEST(TypedConfig, UnknownFieldInsideAListNamesTheElement) {
  EXPECT_EQ(error_of("      items:\n        - name: a\n        - nme: b\n"),
            "6: unknown field \"config.items[1].nme\" (known fields: name, size); did you mean name?");
}

TEST(TypedConfig, WrongShapesAreNamed) {
  EXPECT_EQ(error_of("      trace_file: 12\n"),
            "4: field \"config.trace_file\" must be a string, not the number 12; quote the value in the YAML "
            "to keep "
            "it a string");
  EXPECT_EQ(error_of("      items: {name: a}\n"), "4: field \"config.items\" must be a list, not a mapping");
  EXPECT_EQ(error_of("      listen: 80\n"),
            "4: field \"config.listen\" must be a mapping of fields (message ukube.test.Listen), not the "
            "number 80");
  EXPECT_EQ(error_of("      fail_init: \"yes\"\n"),
            "4: field \"config.fail_init\" must be true or false, not the string \"yes\"");
  EXPECT_EQ(error_of("      value: 1.5\n"),
            "4: field \"config.value\" must be an integer (int32), not the number 1.5E0");
  EXPECT_EQ(error_of("      limits: {cpu: lots}\n"),
            "4: field \"config.limits.cpu\" must be an integer (int32), not the string \"lots\"");
}

TEST(TypedConfig, NumbersMayBeWrittenAsProtobufJsonStrings) {
  auto config = build("      value: \"-12\"\n      ratio: \"NaN\"\n");
  ASSERT_NE(config, nullptr);
  EXPECT_EQ(config->value(), -12);
  EXPECT_TRUE(std::isnan(config->ratio()));
  EXPECT_EQ(error_of("      ratio: \"half\"\n"),
            "4: field \"config.ratio\" must be a number (double), not the string \"half\"");
}

TEST(TypedConfig, UnknownEnumValueListsKnownValues) {
  EXPECT_EQ(error_of("      mode: SLOWW\n"),
            "4: unknown value \"SLOWW\" for field \"config.mode\" (known values: MODE_UNSPECIFIED, FAST, "
            "SLOW); did "
            "you mean SLOW?");
}

TEST(TypedConfig, ProtobufParserErrorsAreReported) {
  std::string error = error_of("      value: 99999999999\n");
  EXPECT_NE(error.find("invalid config:"), std::string::npos) << error;
  error = error_of("      timeout: soon\n");
  EXPECT_NE(error.find("invalid config:"), std::string::npos) << error;
}

TEST(TypedConfig, PluginWithoutConfigMessageRefusesSettings) {
  PluginDescriptor bare;
  EXPECT_EQ(error_of("      value: 1\n      mode: FAST\n", bare),
            "2: takes no config, but the file gives it one (value, mode); remove the config: section");
  PluginConfig empty =
      parse_config("plugins:\n  - uri: ukube.bare.v1.bare\n    config: {}\n", "t.yaml").plugins.at(0);
  auto message = build_plugin_config(bare, empty);
  EXPECT_NE(dynamic_cast<const google::protobuf::Empty*>(message.get()), nullptr);
}

}  // namespace
}  // namespace ukube::host
