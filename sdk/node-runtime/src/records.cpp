#include "ukube/node/records.h"

#include <boost/json.hpp>

#include <chrono>
#include <stdexcept>

#include "ukube/node/atomic_file.h"

namespace ukube::runtime::node {

namespace json = boost::json;

namespace {

json::array strings_to_json(const std::vector<std::string>& strings) {
  json::array out;
  for (const auto& s : strings) out.emplace_back(s);
  return out;
}

// Strict readers: a record is written by this code only, so anything unexpected means a
// damaged file, reported with its name rather than guessed around.
class RecordReader {
 public:
  RecordReader(const std::string& text, const std::string& source) : source_(source) {
    boost::system::error_code ec;
    json::value v = json::parse(text, ec);
    if (ec || !v.is_object())
      throw std::runtime_error(source_ + " is not a JSON object (" + (ec ? ec.message() : "other type") +
                               "); remove the container's state folder if it is damaged");
    object_ = std::move(v.as_object());
  }
  std::string str(const char* key) const {
    const json::value* v = object_.if_contains(key);
    if (!v) return {};
    if (!v->is_string()) fail(key, "a string");
    return std::string(v->as_string());
  }
  int64_t i64(const char* key) const {
    const json::value* v = object_.if_contains(key);
    if (!v) return 0;
    if (v->is_int64()) return v->as_int64();
    if (v->is_uint64()) return static_cast<int64_t>(v->as_uint64());
    fail(key, "an integer");
  }
  uint64_t u64(const char* key) const { return static_cast<uint64_t>(i64(key)); }
  bool boolean(const char* key) const {
    const json::value* v = object_.if_contains(key);
    if (!v) return false;
    if (!v->is_bool()) fail(key, "a boolean");
    return v->as_bool();
  }
  std::vector<std::string> strings(const char* key) const {
    std::vector<std::string> out;
    const json::value* v = object_.if_contains(key);
    if (!v) return out;
    if (!v->is_array()) fail(key, "an array of strings");
    for (const auto& item : v->as_array()) {
      if (!item.is_string()) fail(key, "an array of strings");
      out.emplace_back(item.as_string());
    }
    return out;
  }

 private:
  [[noreturn]] void fail(const char* key, const char* expected) const {
    throw std::runtime_error(source_ + ": member \"" + key + "\" is not " + expected);
  }
  std::string source_;
  json::object object_;
};

}  // namespace

std::string to_json_text(const MonitorSpec& spec) {
  json::object o;
  o["argv"] = strings_to_json(spec.argv);
  o["env"] = strings_to_json(spec.env);
  o["working_dir"] = spec.working_dir;
  o["log_path"] = spec.log_path;
  o["log_max_size_bytes"] = spec.log_max_size_bytes;
  o["log_max_files"] = spec.log_max_files;
  o["rlimit_nofile"] = spec.rlimit_nofile;
  o["rlimit_nproc"] = spec.rlimit_nproc;
  o["rlimit_core"] = spec.rlimit_core;
  o["stdin"] = spec.stdin_;
  o["tty"] = spec.tty;
  // Flat (source, target, "ro"|"rw") triples: the record reader knows arrays of strings.
  std::vector<std::string> mounts;
  for (const auto& m : spec.mounts) {
    mounts.push_back(m.source);
    mounts.push_back(m.target);
    mounts.push_back(m.readonly ? "ro" : "rw");
  }
  o["mounts"] = strings_to_json(mounts);
  if (!spec.holder_namespaces.empty()) {
    o["holder_namespaces"] = strings_to_json(spec.holder_namespaces);
    o["hostname"] = spec.hostname;
  }
  if (spec.runc.active()) {
    o["runc_path"] = spec.runc.path;
    o["runc_root"] = spec.runc.root;
    o["runc_bundle"] = spec.runc.bundle;
    o["runc_id"] = spec.runc.id;
    o["oom_counter"] = spec.runc.oom_counter;
  }
  return json::serialize(o);
}

std::string to_json_text(const StartRecord& record) {
  json::object o;
  o["monitor_pid"] = record.monitor_pid;
  o["monitor_start_ticks"] = record.monitor_start_ticks;
  o["pid"] = record.pid;
  o["start_ticks"] = record.start_ticks;
  o["started_at"] = record.started_at;
  return json::serialize(o);
}

std::string to_json_text(const ExitRecord& record) {
  json::object o;
  o["exit_code"] = record.exit_code;
  o["finished_at"] = record.finished_at;
  o["reason"] = record.reason;
  o["message"] = record.message;
  return json::serialize(o);
}

MonitorSpec monitor_spec_from_json(const std::string& text, const std::string& source) {
  RecordReader r(text, source);
  MonitorSpec spec;
  spec.argv = r.strings("argv");
  spec.env = r.strings("env");
  spec.working_dir = r.str("working_dir");
  spec.log_path = r.str("log_path");
  spec.log_max_size_bytes = r.u64("log_max_size_bytes");
  spec.log_max_files = static_cast<uint32_t>(r.u64("log_max_files"));
  spec.rlimit_nofile = r.u64("rlimit_nofile");
  spec.rlimit_nproc = r.u64("rlimit_nproc");
  spec.rlimit_core = r.u64("rlimit_core");
  spec.stdin_ = r.boolean("stdin");
  spec.tty = r.boolean("tty");
  const auto mounts = r.strings("mounts");
  if (mounts.size() % 3 != 0) throw std::runtime_error(source + ": \"mounts\" is not a list of triples");
  for (size_t i = 0; i + 2 < mounts.size(); i += 3)
    spec.mounts.push_back(BindMount{mounts[i], mounts[i + 1], mounts[i + 2] == "ro"});
  spec.holder_namespaces = r.strings("holder_namespaces");
  spec.hostname = r.str("hostname");
  spec.runc.path = r.str("runc_path");
  spec.runc.root = r.str("runc_root");
  spec.runc.bundle = r.str("runc_bundle");
  spec.runc.id = r.str("runc_id");
  spec.runc.oom_counter = r.str("oom_counter");
  if (spec.argv.empty() && !spec.runc.active())
    throw std::runtime_error(source + ": \"argv\" is empty: nothing to run");
  return spec;
}

StartRecord start_record_from_json(const std::string& text, const std::string& source) {
  RecordReader r(text, source);
  StartRecord record;
  record.monitor_pid = static_cast<pid_t>(r.i64("monitor_pid"));
  record.monitor_start_ticks = r.u64("monitor_start_ticks");
  record.pid = static_cast<pid_t>(r.i64("pid"));
  record.start_ticks = r.u64("start_ticks");
  record.started_at = r.i64("started_at");
  return record;
}

ExitRecord exit_record_from_json(const std::string& text, const std::string& source) {
  RecordReader r(text, source);
  ExitRecord record;
  record.exit_code = static_cast<int32_t>(r.i64("exit_code"));
  record.finished_at = r.i64("finished_at");
  record.reason = r.str("reason");
  record.message = r.str("message");
  return record;
}

std::optional<StartRecord> read_start_record(const std::filesystem::path& container_dir) {
  auto path = container_dir / files::kStarted;
  auto text = read_file_if_exists(path);
  if (!text) return std::nullopt;
  return start_record_from_json(*text, path.string());
}

std::optional<ExitRecord> read_exit_record(const std::filesystem::path& container_dir) {
  auto path = container_dir / files::kExit;
  auto text = read_file_if_exists(path);
  if (!text) return std::nullopt;
  return exit_record_from_json(*text, path.string());
}

void write_start_record(const std::filesystem::path& container_dir, const StartRecord& record) {
  write_file_atomically(container_dir / files::kStarted, to_json_text(record));
}

void write_exit_record(const std::filesystem::path& container_dir, const ExitRecord& record) {
  write_file_atomically(container_dir / files::kExit, to_json_text(record), Durability::Durable);
}

std::string exit_reason(int32_t exit_code) {
  return exit_code == 0 ? "Completed" : "Error";
}

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace ukube::runtime::node
