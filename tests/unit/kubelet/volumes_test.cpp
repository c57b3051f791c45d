#include <gtest/gtest.h>
#include <sys/stat.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "atomic_writer.h"
#include "projections.h"
#include "ukube/testing/temp_dir.h"

namespace ukube::kubelet {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

std::string read(const fs::path& p) {
  std::ifstream in(p);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

TEST(AtomicWriter, SwapsEveryFileAtOnceThroughDotData) {
  testing::TempDir dir;
  const fs::path v = dir.path() / "vol";
  ASSERT_TRUE(write_atomically(v, {{"a", {"one", 0644}}, {"sub/b", {"two", 0600}}}));
  EXPECT_EQ(read(v / "a"), "one");
  EXPECT_EQ(read(v / "sub" / "b"), "two");
  EXPECT_TRUE(fs::is_symlink(v / "a"));
  EXPECT_TRUE(fs::is_symlink(v / "..data"));
  struct stat st {};
  ASSERT_EQ(::stat((v / "sub" / "b").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  const fs::path first = fs::read_symlink(v / "..data");

  EXPECT_FALSE(write_atomically(v, {{"a", {"one", 0644}}, {"sub/b", {"two", 0600}}})) << "nothing changed";
  EXPECT_EQ(fs::read_symlink(v / "..data"), first);

  ASSERT_TRUE(write_atomically(v, {{"a", {"uno", 0644}}}));
  EXPECT_EQ(read(v / "a"), "uno");
  EXPECT_FALSE(fs::exists(v / "sub")) << "a name no longer projected goes";
  EXPECT_FALSE(fs::exists(v / first)) << "the old version goes";
}

TEST(AtomicWriter, RefusesPathsThatClimbOut) {
  testing::TempDir dir;
  EXPECT_THROW(write_atomically(dir.path(), {{"../x", {"", 0644}}}), std::runtime_error);
  EXPECT_THROW(write_atomically(dir.path(), {{"a/../../x", {"", 0644}}}), std::runtime_error);
  EXPECT_THROW(write_atomically(dir.path(), {{"/etc/x", {"", 0644}}}), std::runtime_error);
}

class Projections : public ::testing::Test {
 protected:
  Projections() {
    pod_ = json::parse(R"({"metadata":{"name":"p","namespace":"ns","uid":"u1","labels":{"b":"2","a":"x y"}},
                           "spec":{"containers":[{"name":"c","resources":{"limits":{"memory":"64Mi"}}}]}})")
               .as_object();
    in_.pod = {&pod_, "node-1", "10.0.0.1", "10.42.0.5", ""};
    in_.lookup = [this](const std::string& kind, const std::string&, const std::string& name) -> ObjectPtr {
      if (kind == "ConfigMap" && name == "cm")
        return std::make_shared<const json::object>(
            json::parse(R"({"data":{"k1":"v1","k2":"v2"},"binaryData":{"bin":"AAE="}})").as_object());
      if (kind == "Secret" && name == "s")
        return std::make_shared<const json::object>(json::parse(R"({"data":{"pw":"c2VjcmV0"}})").as_object());
      return nullptr;
    };
    in_.token = [](const std::string& audience, int64_t seconds) {
      return "token-for-" + audience + "-" + std::to_string(seconds);
    };
  }
  FileSet files(const std::string& volume) { return volume_files(json::parse(volume).as_object(), in_); }

  json::object pod_;
  ProjectionInputs in_;
};

TEST_F(Projections, ConfigMapKeysItemsAndModes) {
  FileSet all = files(R"({"name":"v","configMap":{"name":"cm","defaultMode":288}})");
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all["k1"].data, "v1");
  EXPECT_EQ(all["k1"].mode, 0440u);
  EXPECT_EQ(all["bin"].data, std::string("\0\1", 2));
  FileSet some =
      files(R"({"name":"v","configMap":{"name":"cm","items":[{"key":"k2","path":"dir/two","mode":256}]}})");
  ASSERT_EQ(some.size(), 1u);
  EXPECT_EQ(some["dir/two"].data, "v2");
  EXPECT_EQ(some["dir/two"].mode, 0400u);
}

TEST_F(Projections, MissingSourcesFailWithUpstreamsWordsUnlessOptional) {
  try {
    files(R"({"name":"v","configMap":{"name":"gone"}})");
    FAIL() << "a missing configmap must fail";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "configmap \"gone\" not found");
  }
  EXPECT_TRUE(files(R"({"name":"v","configMap":{"name":"gone","optional":true}})").empty());
  try {
    files(R"({"name":"v","secret":{"secretName":"s","items":[{"key":"nope","path":"x"}]}})");
    FAIL() << "a missing key must fail";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "secret references non-existent secret key: nope");
  }
}

TEST_F(Projections, SecretsAreDecodedAndDownwardApiFormatsMaps) {
  EXPECT_EQ(files(R"({"name":"v","secret":{"secretName":"s"}})")["pw"].data, "secret");
  FileSet down = files(R"({"name":"v","downwardAPI":{"items":[
      {"path":"labels","fieldRef":{"fieldPath":"metadata.labels"}},
      {"path":"name","fieldRef":{"fieldPath":"metadata.name"}},
      {"path":"mem","resourceFieldRef":{"containerName":"c","resource":"limits.memory","divisor":"1Mi"}}]}})");
  EXPECT_EQ(down["labels"].data, "a=\"x y\"\nb=\"2\"");
  EXPECT_EQ(down["name"].data, "p");
  EXPECT_EQ(down["mem"].data, "64");
}

TEST_F(Projections, ProjectedServiceAccountVolume) {
  FileSet sa = files(R"({"name":"kube-api-access","projected":{"defaultMode":420,"sources":[
      {"serviceAccountToken":{"expirationSeconds":3607,"path":"token"}},
      {"configMap":{"name":"cm","items":[{"key":"k1","path":"ca.crt"}]}},
      {"downwardAPI":{"items":[{"path":"namespace","fieldRef":{"fieldPath":"metadata.namespace"}}]}}]}})");
  ASSERT_EQ(sa.size(), 3u);
  EXPECT_EQ(sa["token"].data, "token-for--3607");
  EXPECT_EQ(sa["ca.crt"].data, "v1");
  EXPECT_EQ(sa["namespace"].data, "ns");
  EXPECT_EQ(sa["namespace"].mode, 0644u);
}

}  // namespace
}  // namespace ukube::kubelet
