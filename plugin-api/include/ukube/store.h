#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "ukube/export.h"

// The versioned key/value store every object lives in (DESIGN.md §2). Values are opaque
// bytes; the store never parses them. Revisions are global and monotonic, as in etcd.
namespace ukube::store {

// One immutable encoding of a value, shared by the index, the WAL, the watch bus and
// every reader: nothing is copied to answer a read.
using Bytes = std::shared_ptr<const std::string>;
inline Bytes make_bytes(std::string s) {
  return std::make_shared<const std::string>(std::move(s));
}

struct KeyValue {
  std::string key;
  Bytes value;
  int64_t create_revision = 0;
  int64_t mod_revision = 0;
  int64_t version = 0;  // writes since creation, 1 after create (etcd's meaning)
};

enum class EventType : uint8_t { Create, Update, Delete };

// A committed change. For Delete, `value` is null and `prev_value` holds the last value.
struct Event {
  EventType type = EventType::Create;
  int64_t revision = 0;
  int64_t create_revision = 0;
  std::string key;
  Bytes value;
  Bytes prev_value;
};
using EventPtr = std::shared_ptr<const Event>;

// Receives every committed change, batch by batch, in revision order, only once the
// change is durable. The watch bus is the usual sink.
class UKUBE_API EventSink {
 public:
  virtual ~EventSink();
  virtual void publish(std::span<const EventPtr> batch) = 0;
};

struct ListOptions {
  int64_t revision = 0;     // 0: latest durable revision
  int64_t limit = 0;        // 0: no limit
  std::string start_after;  // continue: first key returned is > start_after
};

struct ListResult {
  std::vector<KeyValue> items;
  int64_t revision = 0;   // the revision the whole list was read at
  bool more = false;      // more keys under the prefix after the last item
  int64_t remaining = 0;  // keys left after this page (approximate is allowed)
};

enum class WriteStatus : uint8_t {
  Ok,
  AlreadyExists,  // create: key present
  NotFound,       // update/delete: key absent
  Conflict,       // mod revision precondition failed
};

struct WriteResult {
  WriteStatus status = WriteStatus::Ok;
  int64_t revision = 0;  // Ok: the revision this write created; otherwise the store's current
  KeyValue current;      // Ok: the new state (delete: the deleted state). Conflict: what is stored now
  explicit operator bool() const { return status == WriteStatus::Ok; }
};

// Produces the value for a write once the revision it will carry is known, so an object
// can embed its own resourceVersion and still be encoded exactly once. Called at most
// once, under the store's sequencing lock: it must be cheap and must not call the store.
using Encoder = std::function<Bytes(int64_t revision)>;
inline Encoder constant(Bytes value) {
  return [v = std::move(value)](int64_t) { return v; };
}

enum class WriteKind : uint8_t { Create, Update, Delete };

struct WriteRequest {
  WriteKind kind = WriteKind::Create;
  std::string key;
  Encoder encode;                     // unused for Delete
  int64_t expected_mod_revision = 0;  // Update/Delete: 0 means any existing version
};

using WriteCallback = std::function<void(WriteResult)>;

class UKUBE_API StoreError : public std::runtime_error {
 public:
  enum class Code { Compacted, FutureRevision, Io, Closed };
  StoreError(Code code, const std::string& what) : std::runtime_error(what), code_(code) {}
  Code code() const { return code_; }

 private:
  Code code_;
};

// Every backend (embedded, etcd) implements this and passes the store conformance suite
// (sdk/testing: ukube/testing/store_conformance.h).
class UKUBE_API Store {
 public:
  virtual ~Store();

  // Reads see only durable writes. `revision` 0 reads the latest; a compacted revision
  // throws StoreError::Compacted, a future one StoreError::FutureRevision.
  virtual std::optional<KeyValue> get(std::string_view key, int64_t revision = 0) = 0;
  virtual ListResult list(std::string_view prefix, const ListOptions& options = {}) = 0;

  // Queues a write; `done` runs once it is durable (or refused), on a store thread, in
  // revision order. It must not block.
  virtual void submit(WriteRequest request, WriteCallback done) = 0;

  virtual int64_t current_revision() = 0;    // latest durable revision
  virtual int64_t compacted_revision() = 0;  // reads below this revision fail
  virtual void compact(int64_t revision) = 0;

  // Blocking forms of submit(), for callers that own a thread.
  WriteResult write(WriteRequest request);
  WriteResult create(std::string_view key, Bytes value);
  WriteResult update(std::string_view key, Bytes value, int64_t expected_mod_revision = 0);
  WriteResult remove(std::string_view key, int64_t expected_mod_revision = 0);
};

UKUBE_API std::string_view to_string(WriteStatus status);

}  // namespace ukube::store
