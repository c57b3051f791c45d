#pragma once

#include <memory>

#include <spdlog/fwd.h>

#include "kernel/store/value_encryption.h"
#include "ukube/store.h"

// Encryption at rest (DESIGN.md §2, upstream's --encryption-provider-config): a Store
// decorator that seals the values of configured resources on their way in and opens them
// on every way out, so everything above it (pipeline, plugins) sees plaintext and the
// backend, its WAL and its snapshots see only ciphertext. Keys outside the configured
// resources pass through untouched (the same bytes). Watch events leave the backend
// through its EventSink, not through this class: put a DecryptingSink there.
namespace ukube::store {

class EncryptingStore final : public Store {
 public:
  // `inner` must outlive this store. `logger` null: spdlog's default logger.
  EncryptingStore(Store& inner, std::shared_ptr<const ValueEncryption> encryption,
                  std::shared_ptr<spdlog::logger> logger = nullptr);

  // Throw DecryptError (besides the inner store's errors) for a value no configured
  // provider can open; a list fails as a whole, as upstream's does.
  std::optional<KeyValue> get(std::string_view key, int64_t revision = 0) override;
  ListResult list(std::string_view prefix, const ListOptions& options = {}) override;

  // The encoder's value is sealed under the store's sequencing lock (AES-GCM on one
  // object: microseconds). The result's `current` value is plaintext. A callback cannot
  // throw, so a stored value that cannot be opened (a Conflict's or a Delete's, written
  // under a key since removed from the config) is logged and handed on as stored; the
  // pipeline then refuses it as not an object.
  void submit(WriteRequest request, WriteCallback done) override;

  int64_t current_revision() override { return inner_.current_revision(); }
  int64_t compacted_revision() override { return inner_.compacted_revision(); }
  void compact(int64_t revision) override { inner_.compact(revision); }

 private:
  Store& inner_;
  const std::shared_ptr<const ValueEncryption> encryption_;
  const std::shared_ptr<spdlog::logger> log_;
};

}  // namespace ukube::store
