#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>

#include <spdlog/fwd.h>

#include "kernel/store/data_dir.h"
#include "kernel/store/record_format.h"
#include "ukube/store.h"

// Reads the WAL back on open. The one kind of damage a crash can leave — an incomplete
// last batch at the end of the last segment — is cut off with a warning. Anything else
// (a bad record with valid records after it, damage in an earlier segment, a gap in the
// revisions) means acknowledged writes are at stake: replay refuses, naming the file and
// byte offset, rather than start with silently missing data.
namespace ukube::store {

struct ReplayedRecord {
  int64_t revision = 0;
  RecordKind kind = RecordKind::Put;
  std::string key;
  Bytes value;
  int64_t create_revision = 0;
  int64_t version = 0;
  int64_t compact_revision = 0;
  size_t segment = 0;  // where the record is, for error messages
  size_t offset = 0;
};

struct ReplayOptions {
  FileSystem* fs = nullptr;   // where the segments are; null: the machine's
  int64_t base_revision = 0;  // the snapshot's revision: records up to it are skipped
  bool sync = true;           // fsync the truncation of a torn tail
  spdlog::logger* logger = nullptr;
  std::string context;  // appended to corruption errors, e.g. which snapshot was skipped
};

struct ReplayStats {
  int64_t last_revision = 0;  // base_revision if the WAL adds nothing
  int64_t compact_revision = 0;
  uint64_t records = 0;  // applied
  uint64_t bytes = 0;    // valid WAL bytes after base_revision's segment boundary
  uint64_t dropped_bytes = 0;
};

// `segments` are the ones not wholly covered by the snapshot, in order; the last of them
// is the only one allowed a torn tail. `apply` may throw std::runtime_error to reject a
// record that contradicts the state (the message gains the file and offset).
ReplayStats replay_wal(std::span<const NumberedFile> segments, const ReplayOptions& options,
                       const std::function<void(ReplayedRecord&&)>& apply);

}  // namespace ukube::store
