#include "ukube/informer.h"

#include "informer_state.h"

namespace ukube {

InformerRegistration::~InformerRegistration() {
  reset();
}

InformerRegistration::InformerRegistration(InformerRegistration&& other) noexcept
    : remove_(std::move(other.remove_)) {
  other.remove_ = nullptr;
}

InformerRegistration& InformerRegistration::operator=(InformerRegistration&& other) noexcept {
  if (this != &other) {
    reset();
    remove_ = std::move(other.remove_);
    other.remove_ = nullptr;
  }
  return *this;
}

void InformerRegistration::reset() {
  if (!remove_) return;
  auto remove = std::move(remove_);
  remove_ = nullptr;
  remove();
}

Informer::Informer(std::shared_ptr<Client> client, GroupVersionResource gvr, std::string ns,
                   ListOptions selectors)
    : state_(std::make_shared<State>(std::move(client), std::move(gvr), std::move(ns), std::move(selectors),
                                     /*shared=*/false)) {}

Informer::Informer(std::shared_ptr<Client> client, GroupVersionResource gvr, std::string ns,
                   ListOptions selectors, detail::InformerPool& pool)
    : state_(std::make_shared<State>(std::move(client), std::move(gvr), std::move(ns), std::move(selectors),
                                     /*shared=*/true)) {
  state_->run(pool);
}

Informer::~Informer() {
  state_->halt();
  own_pool_.reset();
}

// Registrations hold the state weakly: one that outlives its informer removes nothing.
InformerRegistration Informer::add_handlers(InformerHandlers handlers) {
  uint64_t id = state_->handlers.add(std::move(handlers), state_->cache);
  return InformerRegistration([weak = std::weak_ptr<State>(state_), id] {
    if (auto state = weak.lock()) state->handlers.remove(id);
  });
}

InformerRegistration Informer::add_indexer(const std::string& name, IndexFunc index) {
  uint64_t id = state_->cache.add_indexer(name, std::move(index));
  return InformerRegistration([weak = std::weak_ptr<State>(state_), name, id] {
    if (auto state = weak.lock()) state->cache.remove_indexer(name, id);
  });
}

void Informer::start() {
  if (state_->shared) return;
  if (!own_pool_) own_pool_ = std::make_unique<detail::InformerPool>(1, "ukube-informer");
  state_->run(*own_pool_);
}

void Informer::stop() {
  if (state_->shared) return;
  state_->halt();
  // Not from one of its own handlers: a thread cannot join itself.
  if (own_pool_ && !own_pool_->on_pool_thread()) own_pool_.reset();
}

bool Informer::wait_for_sync(std::chrono::milliseconds timeout) const {
  return state_->cache.wait_for_sync(timeout);
}

bool Informer::has_synced() const {
  return state_->cache.has_synced();
}

ObjectPtr Informer::get(std::string_view key) const {
  return state_->cache.get(key);
}

std::vector<ObjectPtr> Informer::list() const {
  return state_->cache.list();
}

std::vector<ObjectPtr> Informer::by_index(std::string_view index, std::string_view value) const {
  return state_->cache.by_index(index, value);
}

std::string Informer::resource_version() const {
  return state_->cache.resource_version();
}

uint64_t Informer::relist_count() const {
  return state_->cache.relist_count();
}

}  // namespace ukube
