#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "ukube/auth.h"

// The audit log: one audit.k8s.io/v1 Event per request as a JSON line, like upstream's
// log backend. Lines are queued by request threads and written by a thread of its own,
// so a slow disk never holds up a request.
namespace ukube::apiserver {

enum class AuditLevel { None, Metadata, Request, RequestResponse };

// "None", "Metadata", "Request", "RequestResponse"; throws std::invalid_argument.
AuditLevel parse_audit_level(const std::string& text);

// What one request did, as the handler saw it.
struct AuditRecord {
  std::chrono::system_clock::time_point received;
  std::string request_uri;
  std::string verb;              // Kubernetes verb for resource requests, lower-case method otherwise
  std::optional<UserInfo> user;  // unset: authentication failed
  std::optional<UserInfo> impersonated;
  std::string source_ip;
  std::string user_agent;
  bool resource_request = false;
  std::string api_group, api_version, resource, subresource, namespace_, name;
  int code = 0;
  std::string status_reason, status_message;  // error responses only
  std::string_view request_body;              // JSON bodies only, for level Request and above
  std::string_view response_body;             // JSON bodies only, for RequestResponse
  bool response_started_only = false;         // a watch: logged when its stream starts
};

class AuditLog {
 public:
  // Opens (appends to) `path` with mode 0600; rotates to `path`.1 past `max_bytes`.
  AuditLog(std::filesystem::path path, AuditLevel level, uint64_t max_bytes);
  ~AuditLog();
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  AuditLevel level() const { return level_; }
  void record(const AuditRecord& record);
  void flush();  // waits until every queued line is written (tests, shutdown)

  // The JSON line for a record at `level` (no trailing newline).
  static std::string event_json(const AuditRecord& record, AuditLevel level);

 private:
  void open();
  void write_loop();

  const std::filesystem::path path_;
  const AuditLevel level_;
  const uint64_t max_bytes_;
  FILE* file_ = nullptr;
  uint64_t size_ = 0;
  std::mutex mutex_;
  std::condition_variable wake_, drained_;
  std::vector<std::string> queue_;
  bool writing_ = false;
  bool stopping_ = false;
  std::thread writer_;
};

}  // namespace ukube::apiserver
