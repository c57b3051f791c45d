#pragma once

#include <memory>
#include <span>

#include <spdlog/fwd.h>

#include "kernel/store/value_encryption.h"
#include "ukube/store.h"

// Sits between a store backend and its event consumer (the watch bus), so that watchers
// see the plaintext of values the backend keeps encrypted (see EncryptingStore). Batches
// without encrypted values pass through as they are, without a copy.
namespace ukube::store {

class DecryptingSink final : public EventSink {
 public:
  // `target` must outlive this sink. `logger` null: spdlog's default logger.
  DecryptingSink(EventSink& target, std::shared_ptr<const ValueEncryption> encryption,
                 std::shared_ptr<spdlog::logger> logger = nullptr);

  // An event whose new value cannot be opened is dropped, and one whose previous value
  // cannot be opened loses it (a DELETED watch event then goes unsent): both logged with
  // the reason. Values this daemon wrote are always readable to it, so this takes a
  // previous value written under a key since removed from the config.
  void publish(std::span<const EventPtr> batch) override;

 private:
  EventPtr opened(const Event& event) const;  // null: drop

  EventSink& target_;
  const std::shared_ptr<const ValueEncryption> encryption_;
  const std::shared_ptr<spdlog::logger> log_;
};

}  // namespace ukube::store
