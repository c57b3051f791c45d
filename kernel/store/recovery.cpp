#include "kernel/store/recovery.h"

#include <spdlog/logger.h>
#include <chrono>
#include <system_error>
#include <vector>

#include "kernel/store/data_dir.h"
#include "kernel/store/snapshot_file.h"
#include "kernel/store/wal_replay.h"

namespace ukube::store {
namespace {

struct LoadedSnapshot {
  SnapshotSummary summary;
  size_t index = 0;  // position in the listing; npos: none
  std::string skipped;
};

constexpr size_t kNone = static_cast<size_t>(-1);

// Newest snapshot that verifies completely. A damaged one is renamed aside (kept for
// inspection, never loaded again) and the next older one tried; whether the WAL still
// reaches back that far is checked by the replay.
LoadedSnapshot load_newest_snapshot(FileSystem& fs, const DataDirListing& listing, MvccIndex& index,
                                    spdlog::logger& logger) {
  LoadedSnapshot loaded;
  loaded.index = kNone;
  for (size_t i = listing.snapshots.size(); i-- > 0;) {
    const auto& path = listing.snapshots[i].path;
    MvccIndex candidate;
    try {
      loaded.summary = load_snapshot(
          fs, path, [&](std::string&& key, Bytes value, int64_t create, int64_t mod, int64_t version) {
            candidate.append_sorted(std::move(key), Version{std::move(value), mod, create, version});
          });
    } catch (const SnapshotError& e) {
      logger.error("{}; setting it aside as {}.corrupt and trying an older snapshot", e.what(),
                   path.string());
      fs.rename(path, path.string() + ".corrupt");
      if (!loaded.skipped.empty()) loaded.skipped += "; ";
      loaded.skipped += e.what();
      continue;
    }
    index = std::move(candidate);
    loaded.index = i;
    return loaded;
  }
  return loaded;
}

void apply_record(MvccIndex& index, ReplayedRecord&& r) {
  const Version* current = index.latest(r.key);
  bool live = current && current->live();
  if (r.kind == RecordKind::Delete) {
    if (!live) throw std::runtime_error("it deletes key " + r.key + ", which does not exist at that point");
    index.append(r.key, Version{nullptr, r.revision, current->create_revision, 0});
    return;
  }
  if (live != (r.version > 1))
    throw std::runtime_error("it writes version " + std::to_string(r.version) + " of key " + r.key +
                             ", which " + (live ? "already exists" : "does not exist") + " at that point");
  index.append(r.key, Version{std::move(r.value), r.revision, r.create_revision, r.version});
}

void remove_file(FileSystem& fs, const std::filesystem::path& path, spdlog::logger& logger) {
  try {
    fs.remove(path);
  } catch (const std::exception& e) {
    logger.warn("{}", e.what());
  }
}

}  // namespace

RecoveredState recover(FileSystem& fs, const std::filesystem::path& dir, MvccIndex& index, bool sync,
                       spdlog::logger& logger) {
  auto started = std::chrono::steady_clock::now();
  DataDirListing listing = list_data_dir(fs, dir);
  for (const auto& temp : listing.temporaries) remove_file(fs, temp, logger);

  LoadedSnapshot snapshot = load_newest_snapshot(fs, listing, index, logger);
  RecoveredState state;
  state.snapshot_revision = snapshot.summary.revision;
  state.snapshot_bytes = snapshot.summary.bytes;

  // A segment ends where the next one starts, so it is wholly inside the snapshot when
  // its successor starts at or before snapshot revision + 1.
  size_t first_needed = 0;
  while (first_needed + 1 < listing.segments.size() &&
         listing.segments[first_needed + 1].number <= state.snapshot_revision + 1)
    ++first_needed;
  std::span<const NumberedFile> needed(listing.segments);
  needed = needed.subspan(std::min(first_needed, needed.size()));

  ReplayOptions options;
  options.fs = &fs;
  options.base_revision = state.snapshot_revision;
  options.sync = sync;
  options.logger = &logger;
  if (!snapshot.skipped.empty())
    options.context = "Unusable newer snapshot(s) were skipped: " + snapshot.skipped;
  ReplayStats replay =
      replay_wal(needed, options, [&](ReplayedRecord&& record) { apply_record(index, std::move(record)); });

  state.revision = replay.last_revision;
  state.compacted_revision =
      std::max({snapshot.summary.compacted_revision, state.snapshot_revision, replay.compact_revision});
  if (state.compacted_revision > state.revision) state.compacted_revision = state.revision;
  while (index.compact_some(state.compacted_revision, SIZE_MAX)) {
  }
  state.wal_bytes = replay.bytes;
  state.wal_records = replay.records;

  // Only now that recovery succeeded is anything deleted.
  bool removed = false;
  for (size_t i = 0; i < first_needed && i < listing.segments.size(); ++i) {
    remove_file(fs, listing.segments[i].path, logger);
    removed = true;
  }
  if (snapshot.index != kNone) {
    for (size_t i = 0; i < snapshot.index; ++i) {
      remove_file(fs, listing.snapshots[i].path, logger);
      removed = true;
    }
  }
  if (removed && sync) fs.sync_directory(dir);

  auto took = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  logger.info(
      "store {}: recovered {} keys at revision {} in {:.0f} ms (snapshot at revision {}, {} WAL records "
      "replayed{})",
      dir.string(), index.key_count(), state.revision, took, state.snapshot_revision, replay.records,
      replay.dropped_bytes ? ", torn tail dropped" : "");
  return state;
}

}  // namespace ukube::store
