#include "probe.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cctype>
#include <cstring>

#include "ukube/machinery/json.h"

namespace ukube::kubelet {
namespace json = boost::json;
using machinery::string_at;

namespace {

constexpr const char* kProbeFields[] = {"livenessProbe", "readinessProbe", "startupProbe"};

// An int port, or a named one looked up in the container's ports; -1 when unknown.
int resolve_port(const json::object& container, const json::value* port) {
  if (!port) return -1;
  if (auto n = machinery::as_int(*port)) return static_cast<int>(*n);
  const std::string name(machinery::as_string(*port));
  int found = -1;
  machinery::for_each_object(machinery::array_at(container, {"ports"}), [&](const json::object& p, size_t) {
    if (string_at(p, {"name"}) == name) found = static_cast<int>(machinery::int_or(p, {"containerPort"}, -1));
  });
  return found;
}

// "connection refused", as Go's net package words an errno.
std::string errno_text(int error) {
  std::string text = std::strerror(error);
  if (!text.empty()) text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  return text;
}

std::string host_port(const std::string& host, int port) {
  return (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

size_t collect(char* data, size_t size, size_t n, void* out) {
  auto* text = static_cast<std::string*>(out);
  if (text->size() < 10 * 1024) text->append(data, size * n);  // upstream reads 10 KiB of a body
  return size * n;
}

ProbeOutcome http_probe(const ProbeSpec& spec, const std::string& host) {
  const std::string scheme = spec.scheme == "HTTPS" ? "https" : "http";
  const std::string url =
      scheme + "://" + host_port(host, spec.port) + (spec.path.starts_with("/") ? "" : "/") + spec.path;
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) return {false, "cannot make an HTTP client"};
  CURL* h = curl.get();
  std::string body;
  curl_slist* headers = nullptr;
  bool user_agent = false;
  for (const auto& [name, value] : spec.headers) {
    headers = curl_slist_append(headers, (name + ": " + value).c_str());
    user_agent = user_agent || strcasecmp(name.c_str(), "User-Agent") == 0;
  }
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> header_list(headers, curl_slist_free_all);
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(spec.timeout.count() * 1000));
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);  // upstream's prober skips verification too
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(h, CURLOPT_MAXREDIRS, 10L);
  if (!user_agent) curl_easy_setopt(h, CURLOPT_USERAGENT, "kube-probe/1.32");
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
  const CURLcode code = curl_easy_perform(h);
  if (code != CURLE_OK) return {false, "Get \"" + url + "\": " + curl_easy_strerror(code)};
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  if (status >= 200 && status < 400) return {true, body};
  return {false, "HTTP probe failed with statuscode: " + std::to_string(status)};
}

ProbeOutcome tcp_probe(const ProbeSpec& spec, const std::string& host) {
  const std::string where = host_port(host, spec.port);
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), std::to_string(spec.port).c_str(), &hints, &found) != 0 || !found)
    return {false, "dial tcp " + where + ": lookup failed"};
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> list(found, freeaddrinfo);
  const int fd = socket(found->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return {false, "dial tcp " + where + ": " + errno_text(errno)};
  int error = 0;
  if (connect(fd, found->ai_addr, found->ai_addrlen) != 0) {
    error = errno;
    if (error == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      const int ready = poll(&p, 1, static_cast<int>(spec.timeout.count() * 1000));
      socklen_t len = sizeof error;
      if (ready == 0)
        error = ETIMEDOUT;
      else
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len);
    }
  }
  close(fd);
  if (error == 0) return {true, ""};
  return {false, "dial tcp " + where + ": connect: " + errno_text(error)};
}

// grpc.health.v1.Health/Check over HTTP/2 without TLS: one length-prefixed
// HealthCheckRequest {service}, answered SERVING (1) when healthy.
ProbeOutcome grpc_probe(const ProbeSpec& spec, const std::string& host, const std::string& service) {
  const std::string where = host_port(host, spec.port);
  const std::string url = "http://" + where + "/grpc.health.v1.Health/Check";
  std::string message;
  if (!service.empty()) {
    message.push_back(0x0a);  // field 1, length-delimited
    message.push_back(static_cast<char>(service.size()));
    message += service;
  }
  std::string frame(5, '\0');
  frame[4] = static_cast<char>(message.size());
  frame += message;
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) return {false, "cannot make a gRPC client"};
  CURL* h = curl.get();
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/grpc");
  headers = curl_slist_append(headers, "TE: trailers");
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> header_list(headers, curl_slist_free_all);
  std::string body, head;
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(spec.timeout.count() * 1000));
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, frame.data());
  curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, static_cast<long>(frame.size()));
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, collect);  // trailers arrive here too
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &head);
  const CURLcode code = curl_easy_perform(h);
  if (code != CURLE_OK)
    return {false, "timeout: failed to connect service \"" + where + "\" within " +
                       std::to_string(spec.timeout.count()) + "s: " + curl_easy_strerror(code)};
  // The response: a 5-byte prefix, then HealthCheckResponse {status = 1 (field 1, varint)}.
  const bool serving = body.size() >= 7 && body[5] == 0x08 && body[6] == 0x01;
  if (serving) return {true, ""};
  if (head.find("grpc-status: 12") != std::string::npos)
    return {false, "service unhealthy (responded with \"UNIMPLEMENTED\")"};
  return {false, "service unhealthy (responded with \"NOT_SERVING\")"};
}

}  // namespace

const char* probe_name(ProbeKind kind) {
  switch (kind) {
    case ProbeKind::Liveness: return "Liveness";
    case ProbeKind::Readiness: return "Readiness";
    case ProbeKind::Startup: return "Startup";
  }
  return "";
}

std::optional<ProbeSpec> probe_of(const json::object& container, ProbeKind kind) {
  const auto* probe = machinery::object_at(container, {kProbeFields[static_cast<int>(kind)]});
  if (!probe) return std::nullopt;
  ProbeSpec s;
  auto seconds = [&](const char* field, int64_t fallback) {
    return std::chrono::seconds(machinery::int_or(*probe, {field}, fallback));
  };
  s.initial_delay = seconds("initialDelaySeconds", 0);
  s.period = std::max(seconds("periodSeconds", 10), std::chrono::seconds(1));
  s.timeout = std::max(seconds("timeoutSeconds", 1), std::chrono::seconds(1));
  s.success_threshold =
      static_cast<int>(std::max<int64_t>(1, machinery::int_or(*probe, {"successThreshold"}, 1)));
  s.failure_threshold =
      static_cast<int>(std::max<int64_t>(1, machinery::int_or(*probe, {"failureThreshold"}, 3)));
  if (const auto* exec = machinery::object_at(*probe, {"exec"})) {
    s.action = ProbeSpec::Action::Exec;
    s.command = machinery::strings_at(*exec, {"command"});
  } else if (const auto* http = machinery::object_at(*probe, {"httpGet"})) {
    s.action = ProbeSpec::Action::HttpGet;
    s.scheme = string_at(*http, {"scheme"}, "HTTP");
    s.host = string_at(*http, {"host"});
    s.path = string_at(*http, {"path"}, "/");
    s.port = resolve_port(container, http->if_contains("port"));
    machinery::for_each_object(machinery::array_at(*http, {"httpHeaders"}),
                               [&](const json::object& hdr, size_t) {
                                 s.headers.emplace_back(string_at(hdr, {"name"}), string_at(hdr, {"value"}));
                               });
  } else if (const auto* tcp = machinery::object_at(*probe, {"tcpSocket"})) {
    s.action = ProbeSpec::Action::TcpSocket;
    s.host = string_at(*tcp, {"host"});
    s.port = resolve_port(container, tcp->if_contains("port"));
  } else if (const auto* grpc = machinery::object_at(*probe, {"grpc"})) {
    s.action = ProbeSpec::Action::Grpc;
    s.port = static_cast<int>(machinery::int_or(*grpc, {"port"}, -1));
    s.grpc_service = string_at(*grpc, {"service"});
  } else {
    return std::nullopt;
  }
  return s;
}

ProbeOutcome run_probe(const ProbeSpec& spec, const ProbeTarget& target) {
  if (spec.action == ProbeSpec::Action::Exec) {
    try {
      runtime::ExecSyncResult r = target.driver->exec_sync(target.container_id, spec.command, spec.timeout);
      return {r.exit_code == 0, r.stdout_ + r.stderr_};
    } catch (const runtime::RuntimeError& e) {
      if (e.code() == runtime::RuntimeError::Code::DeadlineExceeded) {
        std::string command;
        for (const auto& part : spec.command) command += (command.empty() ? "" : " ") + part;
        return {false, "command \"" + command + "\" timed out"};
      }
      return {false, e.what()};
    }
  }
  // Nothing listens behind a simulated pod's IP: no traffic goes there, and the probe passes.
  if (target.driver->simulated()) return {true, ""};
  if (spec.port <= 0) return {false, "unable to find the probe's port in the container's ports"};
  const std::string host = spec.host.empty() ? target.pod_ip : spec.host;
  switch (spec.action) {
    case ProbeSpec::Action::HttpGet: return http_probe(spec, host);
    case ProbeSpec::Action::TcpSocket: return tcp_probe(spec, host);
    case ProbeSpec::Action::Grpc: return grpc_probe(spec, host, spec.grpc_service);
    case ProbeSpec::Action::Exec: break;
  }
  return {false, "unknown probe"};
}

}  // namespace ukube::kubelet
