#include "kernel/store/encrypting_store.h"

#include <spdlog/spdlog.h>

namespace ukube::store {

EncryptingStore::EncryptingStore(Store& inner, std::shared_ptr<const ValueEncryption> encryption,
                                 std::shared_ptr<spdlog::logger> logger)
    : inner_(inner),
      encryption_(std::move(encryption)),
      log_(logger ? std::move(logger) : spdlog::default_logger()) {}

std::optional<KeyValue> EncryptingStore::get(std::string_view key, int64_t revision) {
  auto kv = inner_.get(key, revision);
  if (kv) kv->value = encryption_->open(kv->key, kv->value);
  return kv;
}

ListResult EncryptingStore::list(std::string_view prefix, const ListOptions& options) {
  ListResult result = inner_.list(prefix, options);
  for (auto& kv : result.items) kv.value = encryption_->open(kv.key, kv.value);
  return result;
}

void EncryptingStore::submit(WriteRequest request, WriteCallback done) {
  if (!encryption_->covers(request.key)) return inner_.submit(std::move(request), std::move(done));

  // What this write stored, so that its result carries the plaintext without opening the
  // ciphertext again. Set by the encoder under the inner store's sequencing lock, read by
  // the callback, which the inner store runs after the write is durable.
  struct Written {
    Bytes plaintext;
    Bytes sealed;
  };
  auto written = std::make_shared<Written>();
  if (request.kind != WriteKind::Delete && request.encode) {
    request.encode = [encode = std::move(request.encode), encryption = encryption_, written,
                      key = request.key](int64_t revision) {
      Bytes plaintext = encode(revision);
      Bytes sealed = encryption->seal(key, plaintext);
      written->plaintext = plaintext;
      written->sealed = sealed;
      return sealed;
    };
  }
  if (done) {
    // Captures no `this`: callbacks of a closing store may outlive the decorator.
    done = [done = std::move(done), encryption = encryption_, log = log_, written](WriteResult result) {
      Bytes& value = result.current.value;
      if (value && value == written->sealed) {
        value = written->plaintext;
      } else if (value) {
        try {
          value = encryption->open(result.current.key, value);
        } catch (const DecryptError& e) {
          log->error("write to {} answered {}, but the stored value it reports is unreadable: {}",
                     result.current.key, to_string(result.status), e.what());
        }
      }
      done(std::move(result));
    };
  }
  inner_.submit(std::move(request), std::move(done));
}

}  // namespace ukube::store
