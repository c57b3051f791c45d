// Bearer tokens against the real daemon with real kubectl and curl: ServiceAccount tokens
// from `kubectl create token` (protobuf bodies from 1.32 on, JSON before), a static token
// file, bootstrap tokens from `ukube token create`, and opt-in anonymous access.
#include <gtest/gtest.h>

#include <regex>

#include "tests/integration/kubectl_harness.h"
#include "ukube/pki.h"

namespace ukube::testing {
namespace {

namespace fs = std::filesystem;

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

// A temp dir that outlives the Node using files in it.
struct TempDir {
  TempDir() {
    std::random_device rd;
    path = fs::temp_directory_path() / ("ukube-tokens-" + std::to_string(rd()) + std::to_string(rd()));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  fs::path path;
};

// The server URL and CA of a node, for curl.
class Curl {
 public:
  explicit Curl(const Node& node)
      : ca_(node.dir() / "data" / "pki" / "ca.crt"), server_(kubeconfig_server(node.kubeconfig())) {}
  // Body, then a last line with the HTTP status.
  CommandResult get(const std::string& path, const std::string& token = "") const {
    std::string cmd = "curl -sS --max-time 10 --cacert " + shell_quote(ca_.string());
    if (!token.empty()) cmd += " -H " + shell_quote("Authorization: Bearer " + token);
    return run_command(cmd + " -w '\\n%{http_code}' " + shell_quote(server_ + path));
  }
  static std::string status(const CommandResult& r) { return r.out.substr(r.out.rfind('\n') + 1); }
  bool ok() const { return !server_.empty(); }

 private:
  fs::path ca_;
  std::string server_;
};

const char* const kTokenPlugins =
    "  - uri: ukube.authenticator.v1.serviceaccount\n"
    "  - uri: ukube.authenticator.v1.bootstrap-token\n";

class ServiceAccountTokens : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    binary_ = kubectl_binary(GetParam());
    if (binary_.empty()) GTEST_SKIP() << "kubectl " << GetParam() << " is not installed";
    ASSERT_TRUE(node_.ready()) << node_.log();
    ASSERT_TRUE(curl_.ok());
  }
  std::string binary_;
  Node node_{kTokenPlugins};
  Curl curl_{node_};
};

TEST_P(ServiceAccountTokens, CreateTokenAuthenticatesAndRbacDecides) {
  Kubectl kubectl(binary_, node_);
  ASSERT_EQ(kubectl("create sa robot").exit_code, 0);
  CommandResult created = kubectl("create token robot");
  ASSERT_EQ(created.exit_code, 0) << created.out;
  const std::string token = trimmed(created.out);
  ASSERT_EQ(std::count(token.begin(), token.end(), '.'), 2) << token;

  CommandResult denied = curl_.get("/api/v1/namespaces/default/pods", token);
  EXPECT_EQ(Curl::status(denied), "403") << denied.out;
  EXPECT_NE(
      denied.out.find("User \\\"system:serviceaccount:default:robot\\\" cannot list resource \\\"pods\\\""),
      std::string::npos)
      << denied.out;

  ASSERT_EQ(kubectl("create role pod-reader --verb=get,list --resource=pods").exit_code, 0);
  ASSERT_EQ(
      kubectl("create rolebinding robot-reads --role=pod-reader --serviceaccount=default:robot").exit_code,
      0);
  EXPECT_TRUE(eventually([&] {
    return Curl::status(curl_.get("/api/v1/namespaces/default/pods", token)) == "200";
  })) << curl_.get("/api/v1/namespaces/default/pods", token).out;
  // Still nothing beyond what the binding gives.
  EXPECT_EQ(Curl::status(curl_.get("/api/v1/namespaces/default/secrets", token)), "403");

  // The signature changed: not ours any more.
  std::string forged = token;
  forged[forged.size() - 3] = forged[forged.size() - 3] == 'A' ? 'B' : 'A';
  CommandResult refused = curl_.get("/api/v1/namespaces/default/pods", forged);
  EXPECT_EQ(Curl::status(refused), "401") << refused.out;

  CommandResult ten_minutes = kubectl("create token robot --duration 10m");
  ASSERT_EQ(ten_minutes.exit_code, 0) << ten_minutes.out;
  EXPECT_EQ(Curl::status(curl_.get("/api/v1/namespaces/default/pods", trimmed(ten_minutes.out))), "200");
  CommandResult too_short = kubectl("create token robot --duration 5m");
  EXPECT_NE(too_short.exit_code, 0);
  EXPECT_NE(too_short.out.find("may not specify a duration less than 10 minutes"), std::string::npos)
      << too_short.out;
}

TEST_P(ServiceAccountTokens, PodBoundTokenStopsWorkingWhenThePodIsDeleted) {
  Kubectl kubectl(binary_, node_);
  ASSERT_EQ(kubectl("create sa robot").exit_code, 0);
  ASSERT_EQ(kubectl("create clusterrolebinding robot-view --clusterrole=view --serviceaccount=default:robot")
                .exit_code,
            0);
  CommandResult pod =
      kubectl("apply -f -",
              "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  serviceAccountName: robot\n"
              "  containers:\n  - name: c\n    image: busybox\n");
  ASSERT_EQ(pod.exit_code, 0) << pod.out;
  const std::string uid = trimmed(kubectl("get pod p -o jsonpath={.metadata.uid}").out);
  ASSERT_FALSE(uid.empty());
  CommandResult created =
      kubectl("create token robot --bound-object-kind Pod --bound-object-name p --bound-object-uid " + uid);
  ASSERT_EQ(created.exit_code, 0) << created.out;
  const std::string token = trimmed(created.out);
  EXPECT_TRUE(eventually([&] {
    return Curl::status(curl_.get("/api/v1/namespaces/default/pods", token)) == "200";
  })) << curl_.get("/api/v1/namespaces/default/pods", token).out;

  CommandResult wrong_uid =
      kubectl("create token robot --bound-object-kind Pod --bound-object-name p --bound-object-uid 0000");
  EXPECT_NE(wrong_uid.exit_code, 0);
  EXPECT_NE(wrong_uid.out.find("does not match the UID in record"), std::string::npos) << wrong_uid.out;

  ASSERT_EQ(kubectl("delete pod p --wait=true").exit_code, 0);
  CommandResult after = curl_.get("/api/v1/namespaces/default/pods", token);
  EXPECT_EQ(Curl::status(after), "401") << after.out;
}

// The newest kubectl sends TokenRequest as protobuf; the oldest supported one as JSON.
INSTANTIATE_TEST_SUITE_P(Kubectl, ServiceAccountTokens, ::testing::Values("1.33", "1.30"),
                         [](const auto& info) {
                           return "v" + std::regex_replace(info.param, std::regex("\\."), "_");
                         });

TEST(TokenFile, UsersOfTheFileAuthenticate) {
  TempDir dir;
  std::ofstream(dir.path / "tokens.csv") << "alice-token,alice,1001\n"
                                            "bob-token,bob,1002,\"dev,system:masters\"\n";
  Node node("  - uri: ukube.authenticator.v1.token-file\n    config: {path: \"" +
            (dir.path / "tokens.csv").string() + "\"}\n");
  ASSERT_TRUE(node.ready()) << node.log();
  Curl curl(node);
  CommandResult alice = curl.get("/api/v1/namespaces", "alice-token");
  EXPECT_EQ(Curl::status(alice), "403") << alice.out;
  EXPECT_NE(alice.out.find("User \\\"alice\\\" cannot list resource \\\"namespaces\\\""), std::string::npos)
      << alice.out;
  CommandResult bob = curl.get("/api/v1/namespaces", "bob-token");
  EXPECT_EQ(Curl::status(bob), "200") << bob.out;
  EXPECT_EQ(Curl::status(curl.get("/api/v1/namespaces", "carol-token")), "401");
}

TEST(TokenFile, ABrokenFileStopsStartUpNamingFileAndLine) {
  TempDir dir;
  std::ofstream(dir.path / "tokens.csv") << "alice-token,alice,1001\nshort,row\n";
  const std::string file = (dir.path / "tokens.csv").string();
  // The API server may have written its kubeconfig before the token file was read, so
  // readiness says nothing here: the log does.
  Node node("  - uri: ukube.authenticator.v1.token-file\n    config: {path: \"" + file + "\"}\n");
  EXPECT_TRUE(eventually([&] {
    return node.log().find("line 2: must have at least 3 columns") != std::string::npos;
  })) << node.log();
  EXPECT_NE(node.log().find(file), std::string::npos) << node.log();
}

TEST(BootstrapToken, UkubeTokenCreateMakesATokenThatAuthenticates) {
  Node node(kTokenPlugins);
  ASSERT_TRUE(node.ready()) << node.log();
  Curl curl(node);
  CommandResult created = run_command(shell_quote(ukube_binary().string()) + " token create --data-dir " +
                                      shell_quote((node.dir() / "data").string()) +
                                      " --ttl 1h --description test --groups system:bootstrappers:worker");
  ASSERT_EQ(created.exit_code, 0) << created.out;
  const std::string token = trimmed(created.out);
  std::smatch m;
  ASSERT_TRUE(std::regex_match(token, m, std::regex("([a-z0-9]{6})\\.[a-z0-9]{16}"))) << token;
  const std::string id = m[1];

  CommandResult r = curl.get("/api/v1/namespaces", token);
  EXPECT_EQ(Curl::status(r), "403") << r.out;
  EXPECT_NE(r.out.find("User \\\"system:bootstrap:" + id + "\\\""), std::string::npos) << r.out;
  CommandResult version = curl.get("/version", token);
  EXPECT_EQ(Curl::status(version), "200") << version.out;

  Kubectl kubectl(kubectl_binary("1.33").empty() ? "kubectl" : kubectl_binary("1.33"), node);
  CommandResult secret = kubectl("get secret -n kube-system bootstrap-token-" + id +
                                 " -o jsonpath={.type}/{.data.auth-extra-groups}");
  EXPECT_EQ(secret.out, "bootstrap.kubernetes.io/token/c3lzdGVtOmJvb3RzdHJhcHBlcnM6d29ya2Vy") << secret.out;
  ASSERT_EQ(kubectl("delete secret -n kube-system bootstrap-token-" + id).exit_code, 0);
  EXPECT_EQ(Curl::status(curl.get("/api/v1/namespaces", token)), "401");
}

TEST(BootstrapToken, UkubeTokenCreateSaysWhatToDo) {
  TempDir dir;
  CommandResult missing = run_command(shell_quote(ukube_binary().string()) + " token create --data-dir " +
                                      shell_quote((dir.path / "nowhere").string()));
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.out.find("start the node once"), std::string::npos) << missing.out;

  // A kubeconfig whose server is not running.
  std::ofstream(dir.path / "admin.kubeconfig")
      << pki::kubeconfig_yaml("https://127.0.0.1:1", {"", "cert", "key"});
  CommandResult down = run_command(shell_quote(ukube_binary().string()) + " token create --kubeconfig " +
                                   shell_quote((dir.path / "admin.kubeconfig").string()));
  EXPECT_EQ(down.exit_code, 1);
  EXPECT_NE(down.out.find("is the daemon running?"), std::string::npos) << down.out;

  CommandResult bad_group =
      run_command(shell_quote(ukube_binary().string()) + " token create --groups system:masters");
  EXPECT_EQ(bad_group.exit_code, 1);
  EXPECT_NE(bad_group.out.find("is not a bootstrap group"), std::string::npos) << bad_group.out;
}

TEST(Anonymous, EnabledItSeesPublicInfoOnly) {
  Node node("  - uri: ukube.authenticator.v1.anonymous\n");
  ASSERT_TRUE(node.ready()) << node.log();
  Curl curl(node);
  CommandResult version = curl.get("/version");
  EXPECT_EQ(Curl::status(version), "200") << version.out;
  EXPECT_NE(version.out.find("gitVersion"), std::string::npos) << version.out;
  CommandResult namespaces = curl.get("/api/v1/namespaces");
  EXPECT_EQ(Curl::status(namespaces), "403") << namespaces.out;
  EXPECT_NE(namespaces.out.find("User \\\"system:anonymous\\\" cannot list resource \\\"namespaces\\\""),
            std::string::npos)
      << namespaces.out;
  // A credential nobody knows is still refused, not treated as anonymous.
  EXPECT_EQ(Curl::status(curl.get("/version", "no-such-token")), "401");
}

TEST(Anonymous, OffUnlessListed) {
  Node node;
  ASSERT_TRUE(node.ready()) << node.log();
  Curl curl(node);
  CommandResult version = curl.get("/version");
  EXPECT_EQ(Curl::status(version), "401") << version.out;
}

}  // namespace
}  // namespace ukube::testing
