// Hostile and malformed requests against the real daemon: each gets a clear 4xx with a
// metav1.Status, nothing is stored or leaked, and the daemon keeps serving.
#include <gtest/gtest.h>

#include "tests/integration/curl_client.h"

namespace ukube::testing {
namespace {

class BadInputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(node_.ready()) << node_.log();
    ASSERT_FALSE(curl_.base().empty());
    HttpResult r = curl_.request("POST", "/api/v1/namespaces/default/configmaps",
                                 R"({"metadata":{"name":"keep"},"data":{"k":"v"}})");
    ASSERT_EQ(r.status, 201) << r.body;
  }

  // The daemon still answers and what it stored before is intact.
  void expect_unaffected() const {
    EXPECT_EQ(curl_.request("GET", "/readyz").status, 200) << node_.log();
    HttpResult keep = curl_.request("GET", "/api/v1/namespaces/default/configmaps/keep");
    EXPECT_EQ(keep.status, 200) << keep.body;
    // curl gets indented JSON, as from upstream.
    EXPECT_NE(keep.body.find(R"("k": "v")"), std::string::npos) << keep.body;
    EXPECT_TRUE(keep.body.ends_with("}\n"))
        << "a JSON body ends with a newline, as upstream's: " << keep.body;
  }

  // A metav1.Status, indented (curl gets that from the API, as from upstream's) or as the
  // HTTP layer writes it for requests it could not read.
  static bool is_status(const std::string& body) {
    return body.find(R"("kind": "Status")") != std::string::npos ||
           body.find(R"("kind":"Status")") != std::string::npos;
  }

  static void expect_status(const HttpResult& r, int code, const std::string& message_part) {
    EXPECT_EQ(r.status, code) << r.body;
    EXPECT_TRUE(is_status(r.body)) << r.body;
    EXPECT_NE(r.body.find(message_part), std::string::npos) << r.body;
    EXPECT_TRUE(r.body.ends_with("}\n")) << "an error body ends with a newline, as upstream's: " << r.body;
  }

  std::string file(const std::string& name, const std::string& text) const {
    auto p = node_.dir() / name;
    std::ofstream(p) << text;
    return p.string();
  }

  Node node_;
  Curl curl_{node_};
};

// Raw requests over TLS from python3 (curl will not send some of these): the status line
// and body of the answer.
HttpResult raw_request(const Curl& curl, const std::string& head_extra, size_t repeat) {
  std::string script =
      "import socket, ssl, sys\n"
      "p = sys.argv[1]\n"
      "ctx = ssl.create_default_context(cafile=p + '/ca.crt')\n"
      "ctx.load_cert_chain(p + '/admin.crt', p + '/admin.key')\n"
      "host, port = sys.argv[2].rsplit(':', 1)\n"
      "t = ctx.wrap_socket(socket.create_connection((host, int(port))), server_hostname=host)\n"
      "t.settimeout(20)\n"
      "extra = (sys.argv[3] + '\\r\\n') * int(sys.argv[4])\n"
      "t.sendall(('GET /api HTTP/1.1\\r\\nHost: x\\r\\n' + extra + '\\r\\n').encode())\n"
      "data = b''\n"
      "while True:\n"
      "    chunk = t.recv(65536)\n"
      "    if not chunk: break\n"
      "    data += chunk\n"
      "sys.stdout.write(data.decode(errors='replace'))\n";
  std::string host = curl.base().substr(std::string("https://").size());
  CommandResult r =
      run_command("python3 -c " + shell_quote(script) + " " + shell_quote(curl.pki().string()) + " " +
                  shell_quote(host) + " " + shell_quote(head_extra) + " " + std::to_string(repeat));
  HttpResult out;
  if (r.out.starts_with("HTTP/1.1 ")) out.status = std::atoi(r.out.c_str() + 9);
  out.body = r.out;
  return out;
}

TEST_F(BadInputTest, OversizedHeadersAre431) {
  if (run_command("command -v python3").exit_code != 0)
    GTEST_SKIP() << "python3 is needed to send raw requests";
  // One field longer than any header block we take, then many fields adding up to too much.
  expect_status(raw_request(curl_, "X-Padding: " + std::string(100 * 1024, 'a'), 1), 431,
                "Request header fields too large");
  expect_status(raw_request(curl_, "X-Padding: " + std::string(1000, 'b'), 300), 431,
                "Request header fields too large");
  // A single field just past 64 KiB, which the HTTP parser cannot store.
  expect_status(raw_request(curl_, "X-Padding: " + std::string(66 * 1024, 'c'), 1), 431,
                "Request header fields too large");
  expect_unaffected();
}

TEST_F(BadInputTest, DotDotAndEncodedSeparatorsNeverReachAnotherResource) {
  HttpResult secret = curl_.request("POST", "/api/v1/namespaces/default/secrets",
                                    R"({"metadata":{"name":"hidden"},"stringData":{"password":"s3cret"}})");
  ASSERT_EQ(secret.status, 201) << secret.body;
  for (const std::string path : {"/api/v1/namespaces/default/configmaps/../secrets/hidden",
                                 "/api/v1/namespaces/default/configmaps/%2e%2e/secrets/hidden",
                                 "/api/v1/namespaces/default/configmaps/..%2Fsecrets%2Fhidden",
                                 "/api/v1/namespaces/default/configmaps/keep%2F..%2F..%2Fsecrets%2Fhidden",
                                 "/api/v1/namespaces/default%2Fsecrets/hidden"}) {
    SCOPED_TRACE(path);
    HttpResult r = curl_.request("GET", path);
    EXPECT_GE(r.status, 400) << r.body;
    EXPECT_LT(r.status, 500) << r.body;
    EXPECT_TRUE(is_status(r.body)) << r.body;
    EXPECT_EQ(r.body.find("czNjcmV0"), std::string::npos) << "the secret leaked: " << r.body;
  }
  // A name with an encoded separator is not a name anything can have.
  HttpResult put =
      curl_.request("PUT", "/api/v1/namespaces/default/configmaps/a%2Fb", R"({"metadata":{"name":"a/b"}})");
  EXPECT_GE(put.status, 400) << put.body;
  EXPECT_LT(put.status, 500) << put.body;
  expect_unaffected();
}

TEST_F(BadInputTest, NamesThatAreNotDns1123AreInvalid) {
  for (const std::string& name :
       std::vector<std::string>{"Bad_Name", "-leading-dash", "UPPER", std::string(300, 'a')}) {
    SCOPED_TRACE(name);
    HttpResult r = curl_.request("POST", "/api/v1/namespaces/default/configmaps",
                                 R"({"metadata":{"name":")" + name + R"("}})");
    expect_status(r, 422, "metadata.name: Invalid value");
    EXPECT_EQ(curl_.request("GET", "/api/v1/namespaces/default/configmaps/" + name).status / 100, 4);
  }
  HttpResult ns = curl_.request("POST", "/api/v1/namespaces", R"({"metadata":{"name":"a.b"}})");
  expect_status(ns, 422, "a lowercase RFC 1123 label must consist of");
  expect_unaffected();
}

TEST_F(BadInputTest, HugeLabelSetsAndBadLabelsAreRefused) {
  std::string labels;
  for (int i = 0; i < 200000; ++i)
    labels += (i ? "," : "") + std::string("\"label-") + std::to_string(i) + "\":\"v\"";
  HttpResult huge = curl_.request("POST", "/api/v1/namespaces/default/configmaps",
                                  R"({"metadata":{"name":"huge","labels":{)" + labels + "}}}");
  expect_status(huge, 413, "Request entity too large");

  HttpResult long_value =
      curl_.request("POST", "/api/v1/namespaces/default/configmaps",
                    R"({"metadata":{"name":"long","labels":{"a":")" + std::string(100, 'x') + R"("}}})");
  expect_status(long_value, 422, "must be no more than 63 characters");
  HttpResult bad_key = curl_.request("POST", "/api/v1/namespaces/default/configmaps",
                                     R"({"metadata":{"name":"badkey","labels":{"no spaces":"v"}}})");
  expect_status(bad_key, 422, "metadata.labels: Invalid value");
  EXPECT_EQ(curl_.request("GET", "/api/v1/namespaces/default/configmaps/huge").status, 404);
  expect_unaffected();
}

TEST_F(BadInputTest, DeeplyNestedBodiesAre400) {
  const int depth = 100000;
  std::string json = R"({"metadata":{"name":"deep"},"data":)";
  for (int i = 0; i < depth; ++i) json += "[";
  for (int i = 0; i < depth; ++i) json += "]";
  json += "}";
  HttpResult r = curl_.request("POST", "/api/v1/namespaces/default/configmaps", json);
  expect_status(r, 400, "");

  std::string yaml = "metadata: {name: deep}\ndata: ";
  for (int i = 0; i < depth; ++i) yaml += "[";
  for (int i = 0; i < depth; ++i) yaml += "]";
  HttpResult y = curl_.request("POST", "/api/v1/namespaces/default/configmaps", yaml, "application/yaml");
  expect_status(y, 400, "");

  std::string patch = "{\"metadata\":";
  for (int i = 0; i < depth; ++i) patch += "{\"a\":";
  patch += "1";
  for (int i = 0; i < depth; ++i) patch += "}";
  patch += "}";
  HttpResult p = curl_.request("PATCH", "/api/v1/namespaces/default/configmaps/keep", patch,
                               "application/merge-patch+json");
  expect_status(p, 400, "");
  expect_unaffected();
}

TEST_F(BadInputTest, MalformedBodiesAndUnknownContentTypesAreClear) {
  expect_status(curl_.request("POST", "/api/v1/namespaces/default/configmaps", "{not json"), 400,
                "the object provided is unrecognized (must be of type ConfigMap): couldn't get version/kind; "
                "json parse error: invalid character 'n' looking for beginning of object key string");
  expect_status(curl_.request("POST", "/api/v1/namespaces/default/configmaps", "[]"), 400,
                "json: cannot unmarshal array into Go value");
  expect_status(curl_.request("POST", "/api/v1/namespaces/default/configmaps", "x", "text/plain"), 415,
                "unknown format");
  expect_status(curl_.request("POST", "/api/v1/namespaces/default/configmaps",
                              std::string("k8s\0\x0a\xff\xff", 7), "application/vnd.kubernetes.protobuf"),
                400, "");
  expect_unaffected();
}

}  // namespace
}  // namespace ukube::testing
