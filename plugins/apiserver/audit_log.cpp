#include "audit_log.h"
#include "ukube/machinery/time.h"
#include "ukube/machinery/uuid.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cstring>
#include <random>
#include <stdexcept>

namespace ukube::apiserver {
namespace {

namespace json = boost::json;

// A body worth embedding: JSON that parses to an object; anything else is left out.
std::optional<json::value> json_body(std::string_view body) {
  if (body.empty() || body.front() != '{') return std::nullopt;
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec) return std::nullopt;
  return v;
}

}  // namespace

AuditLevel parse_audit_level(const std::string& text) {
  if (text == "None") return AuditLevel::None;
  if (text == "Metadata" || text.empty()) return AuditLevel::Metadata;
  if (text == "Request") return AuditLevel::Request;
  if (text == "RequestResponse") return AuditLevel::RequestResponse;
  throw std::invalid_argument("audit_level \"" + text +
                              "\" is not a level: use None, Metadata, Request or RequestResponse");
}

std::string AuditLog::event_json(const AuditRecord& r, AuditLevel level) {
  static const char* const kLevels[] = {"None", "Metadata", "Request", "RequestResponse"};
  json::object e{{"kind", "Event"},
                 {"apiVersion", "audit.k8s.io/v1"},
                 {"level", kLevels[static_cast<int>(level)]},
                 {"auditID", machinery::new_uuid()},
                 {"stage", r.response_started_only ? "ResponseStarted" : "ResponseComplete"},
                 {"requestURI", r.request_uri},
                 {"verb", r.verb}};
  e["user"] = r.user ? user_info_json(*r.user) : json::object{};
  if (r.impersonated) e["impersonatedUser"] = user_info_json(*r.impersonated);
  e["sourceIPs"] = json::array{json::value(r.source_ip)};
  if (!r.user_agent.empty()) e["userAgent"] = r.user_agent;
  if (r.resource_request) {
    json::object ref{{"resource", r.resource}};
    if (!r.namespace_.empty()) ref["namespace"] = r.namespace_;
    if (!r.name.empty()) ref["name"] = r.name;
    if (!r.api_group.empty()) ref["apiGroup"] = r.api_group;
    if (!r.api_version.empty()) ref["apiVersion"] = r.api_version;
    if (!r.subresource.empty()) ref["subresource"] = r.subresource;
    e["objectRef"] = std::move(ref);
  }
  json::object status{{"metadata", json::object{}}, {"code", r.code}};
  if (r.code >= 400) {
    status["status"] = "Failure";
    if (!r.status_reason.empty()) status["reason"] = r.status_reason;
    if (!r.status_message.empty()) status["message"] = r.status_message;
  }
  e["responseStatus"] = std::move(status);
  if (level >= AuditLevel::Request)
    if (auto body = json_body(r.request_body)) e["requestObject"] = std::move(*body);
  if (level >= AuditLevel::RequestResponse)
    if (auto body = json_body(r.response_body)) e["responseObject"] = std::move(*body);
  e["requestReceivedTimestamp"] = machinery::format_micro_time(r.received);
  e["stageTimestamp"] = machinery::format_micro_time(std::chrono::system_clock::now());
  return json::serialize(e);
}

AuditLog::AuditLog(std::filesystem::path path, AuditLevel level, uint64_t max_bytes)
    : path_(std::move(path)), level_(level), max_bytes_(max_bytes) {
  open();
  writer_ = std::thread([this] { write_loop(); });
}

AuditLog::~AuditLog() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  writer_.join();
  if (file_) std::fclose(file_);
}

void AuditLog::open() {
  if (path_.has_parent_path()) std::filesystem::create_directories(path_.parent_path());
  int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0)
    throw std::runtime_error("cannot open the audit log " + path_.string() + ": " + std::strerror(errno) +
                             "; check audit_log_path in the apiserver config");
  struct stat st {};
  size_ = ::fstat(fd, &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
  file_ = ::fdopen(fd, "a");
}

void AuditLog::record(const AuditRecord& record) {
  if (level_ == AuditLevel::None) return;
  std::string line = event_json(record, level_);
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(std::move(line));
  }
  wake_.notify_one();
}

void AuditLog::flush() {
  std::unique_lock lock(mutex_);
  drained_.wait(lock, [&] { return queue_.empty() && !writing_; });
}

void AuditLog::write_loop() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty() && stopping_) return;
    std::vector<std::string> batch;
    batch.swap(queue_);
    writing_ = true;
    lock.unlock();
    for (const auto& line : batch) {
      if (max_bytes_ > 0 && size_ + line.size() + 1 > max_bytes_ && size_ > 0) {
        std::fclose(file_);
        file_ = nullptr;
        std::error_code ec;
        std::filesystem::rename(path_, path_.string() + ".1", ec);
        try {
          open();
        } catch (const std::exception&) {
          file_ = nullptr;  // lines are dropped until the file can be opened again
        }
      }
      if (!file_) continue;
      std::fwrite(line.data(), 1, line.size(), file_);
      std::fputc('\n', file_);
      size_ += line.size() + 1;
    }
    if (file_) std::fflush(file_);
    lock.lock();
    writing_ = false;
    if (queue_.empty()) drained_.notify_all();
  }
}

}  // namespace ukube::apiserver
