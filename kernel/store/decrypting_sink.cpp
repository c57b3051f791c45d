#include "kernel/store/decrypting_sink.h"

#include <vector>

#include <spdlog/spdlog.h>

namespace ukube::store {
namespace {

bool has_encrypted_value(const Event& e) {
  return ValueEncryption::is_encrypted(e.value) || ValueEncryption::is_encrypted(e.prev_value);
}

}  // namespace

DecryptingSink::DecryptingSink(EventSink& target, std::shared_ptr<const ValueEncryption> encryption,
                               std::shared_ptr<spdlog::logger> logger)
    : target_(target),
      encryption_(std::move(encryption)),
      log_(logger ? std::move(logger) : spdlog::default_logger()) {}

void DecryptingSink::publish(std::span<const EventPtr> batch) {
  size_t first = 0;
  while (first < batch.size() && !has_encrypted_value(*batch[first])) ++first;
  if (first == batch.size()) return target_.publish(batch);

  std::vector<EventPtr> out(batch.begin(), batch.begin() + static_cast<std::ptrdiff_t>(first));
  out.reserve(batch.size());
  for (size_t i = first; i < batch.size(); ++i) {
    if (!has_encrypted_value(*batch[i])) {
      out.push_back(batch[i]);
    } else if (EventPtr e = opened(*batch[i])) {
      out.push_back(std::move(e));
    }
  }
  target_.publish(out);
}

EventPtr DecryptingSink::opened(const Event& event) const {
  auto copy = std::make_shared<Event>(event);
  try {
    copy->value = encryption_->open(copy->key, copy->value);
  } catch (const DecryptError& e) {
    log_->error("watch event at revision {} dropped: {}", event.revision, e.what());
    return nullptr;
  }
  try {
    copy->prev_value = encryption_->open(copy->key, copy->prev_value);
  } catch (const DecryptError& e) {
    log_->error(
        "watch event at revision {} sent without its previous value ({}); watchers see no DELETED "
        "event for it until they list again",
        event.revision, e.what());
    copy->prev_value = nullptr;
  }
  return copy;
}

}  // namespace ukube::store
