// The audit log's events and file: what each level keeps, modes, rotation.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <random>

#include "apiserver/audit_log.h"

namespace ukube::apiserver {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;

AuditRecord create_record() {
  AuditRecord r;
  r.received = std::chrono::system_clock::now();
  r.request_uri = "/api/v1/namespaces/team-a/configmaps?fieldManager=kubectl-create";
  r.verb = "create";
  r.user = UserInfo{"alice", "", {"dev", "system:authenticated"}, {}};
  r.source_ip = "127.0.0.1";
  r.user_agent = "kubectl/v1.33.0";
  r.resource_request = true;
  r.api_version = "v1";
  r.resource = "configmaps";
  r.namespace_ = "team-a";
  r.code = 201;
  r.request_body = R"({"metadata":{"name":"notes"},"data":{"k":"v"}})";
  r.response_body = R"({"kind":"ConfigMap","metadata":{"name":"notes","uid":"u1"}})";
  return r;
}

json::object event(const AuditRecord& r, AuditLevel level) {
  return json::parse(AuditLog::event_json(r, level)).as_object();
}

TEST(AuditEvent, MetadataSaysWhoDidWhatToWhichAndNoBodies) {
  json::object e = event(create_record(), AuditLevel::Metadata);
  EXPECT_EQ(e["kind"], "Event");
  EXPECT_EQ(e["apiVersion"], "audit.k8s.io/v1");
  EXPECT_EQ(e["level"], "Metadata");
  EXPECT_EQ(e["stage"], "ResponseComplete");
  EXPECT_EQ(e["verb"], "create");
  EXPECT_EQ(e["user"].at("username"), "alice");
  EXPECT_EQ(e["user"].at("groups").as_array().size(), 2u);
  EXPECT_EQ(e["objectRef"].at("resource"), "configmaps");
  EXPECT_EQ(e["objectRef"].at("namespace"), "team-a");
  EXPECT_EQ(e["responseStatus"].at("code"), 201);
  EXPECT_EQ(e["sourceIPs"].as_array().at(0), "127.0.0.1");
  EXPECT_EQ(e["auditID"].as_string().size(), 36u);
  EXPECT_FALSE(e.contains("requestObject"));
  EXPECT_FALSE(e.contains("responseObject"));
}

TEST(AuditEvent, RequestAndRequestResponseKeepTheBodies) {
  json::object request = event(create_record(), AuditLevel::Request);
  EXPECT_EQ(request["requestObject"].at("data").at("k"), "v");
  EXPECT_FALSE(request.contains("responseObject"));
  json::object both = event(create_record(), AuditLevel::RequestResponse);
  EXPECT_EQ(both["responseObject"].at("metadata").at("uid"), "u1");
  AuditRecord binary = create_record();
  binary.request_body = std::string_view("k8s\0\x0a", 5);
  EXPECT_FALSE(event(binary, AuditLevel::Request).contains("requestObject")) << "only JSON bodies are kept";
}

TEST(AuditEvent, FailuresAndImpersonation) {
  AuditRecord r = create_record();
  r.code = 403;
  r.status_reason = "Forbidden";
  r.status_message = "configmaps is forbidden: ...";
  r.impersonated = UserInfo{"bob", "", {"system:authenticated"}, {}};
  json::object e = event(r, AuditLevel::Metadata);
  EXPECT_EQ(e["responseStatus"].at("status"), "Failure");
  EXPECT_EQ(e["responseStatus"].at("reason"), "Forbidden");
  EXPECT_EQ(e["impersonatedUser"].at("username"), "bob");
  r.user.reset();
  EXPECT_TRUE(event(r, AuditLevel::Metadata)["user"].as_object().empty()) << "unauthenticated";
  EXPECT_THROW(parse_audit_level("Verbose"), std::invalid_argument);
}

class AuditFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("ukube-audit-" + std::to_string(std::random_device{}()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  static size_t lines(const fs::path& p) {
    std::ifstream in(p);
    size_t n = 0;
    for (std::string line; std::getline(in, line);) {
      EXPECT_NO_THROW(json::parse(line)) << line;
      ++n;
    }
    return n;
  }
  fs::path dir_;
};

TEST_F(AuditFile, WritesJsonLinesPrivatelyAndRotates) {
  const fs::path path = dir_ / "logs" / "audit.log";
  {
    AuditLog log(path, AuditLevel::Metadata, 4096);
    for (int i = 0; i < 40; ++i) log.record(create_record());
    log.flush();
  }
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_TRUE(fs::exists(path.string() + ".1")) << "40 events exceed 4 KiB";
  EXPECT_LE(fs::file_size(path), 4096u);
  EXPECT_GT(lines(path) + lines(path.string() + ".1"), 0u);
  EXPECT_LE(lines(path) + lines(path.string() + ".1"), 40u);
}

TEST_F(AuditFile, LevelNoneWritesNothing) {
  const fs::path path = dir_ / "audit.log";
  AuditLog log(path, AuditLevel::None, 0);
  log.record(create_record());
  log.flush();
  EXPECT_EQ(lines(path), 0u);
}

}  // namespace
}  // namespace ukube::apiserver
