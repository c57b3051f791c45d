#include "ukube/informer.h"

#include <boost/json.hpp>
#include <condition_variable>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

namespace ukube {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kPoll = std::chrono::milliseconds(200);
constexpr int64_t kListPage = 500;

std::string meta_field(const boost::json::object& object, const char* field) {
  auto* meta = object.if_contains("metadata");
  if (!meta || !meta->is_object()) return {};
  auto* v = meta->get_object().if_contains(field);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

// One change to hand to the handlers once the cache reflects it.
struct Delta {
  enum Kind { Add, Update, Delete } kind;
  ObjectPtr old_object;
  ObjectPtr object;
};

}  // namespace

std::string object_key(const boost::json::object& object) {
  std::string ns = meta_field(object, "namespace");
  std::string name = meta_field(object, "name");
  return ns.empty() ? name : ns + "/" + name;
}

struct Informer::State {
  std::shared_ptr<Client> client;
  GroupVersionResource gvr;
  std::string ns;
  ListOptions selectors;

  mutable std::mutex mutex;
  mutable std::condition_variable synced_cv;
  std::map<std::string, ObjectPtr, std::less<>> cache;
  std::map<std::string, IndexFunc> indexers;
  std::map<std::string, std::map<std::string, std::set<std::string>, std::less<>>, std::less<>> indices;
  std::vector<InformerHandlers> handlers;
  std::string resource_version;
  bool synced = false;
  uint64_t relists = 0;

  std::mutex handlers_mutex;  // serialises handler calls: each sees events in order
  std::atomic<bool> stopping{false};
  std::thread thread;

  void index_locked(const std::string& key, const ObjectPtr& object, bool add) {
    for (const auto& [name, fn] : indexers) {
      for (const auto& value : fn(*object)) {
        auto& keys = indices[name][value];
        if (add)
          keys.insert(key);
        else
          keys.erase(key);
      }
    }
  }

  void put_locked(const std::string& key, ObjectPtr object, std::vector<Delta>& deltas) {
    auto it = cache.find(key);
    if (it == cache.end()) {
      index_locked(key, object, true);
      cache.emplace(key, object);
      deltas.push_back({Delta::Add, nullptr, std::move(object)});
    } else {
      index_locked(key, it->second, false);
      index_locked(key, object, true);
      deltas.push_back({Delta::Update, it->second, object});
      it->second = std::move(object);
    }
  }

  void erase_locked(const std::string& key, ObjectPtr last, std::vector<Delta>& deltas) {
    auto it = cache.find(key);
    if (it == cache.end()) return;
    index_locked(key, it->second, false);
    deltas.push_back({Delta::Delete, nullptr, last ? std::move(last) : it->second});
    cache.erase(it);
  }

  void dispatch(const std::vector<Delta>& deltas) {
    std::vector<InformerHandlers> current;
    {
      std::lock_guard lock(mutex);
      current = handlers;
    }
    std::lock_guard lock(handlers_mutex);
    for (const auto& d : deltas)
      for (const auto& h : current) {
        if (d.kind == Delta::Add && h.on_add) h.on_add(d.object);
        if (d.kind == Delta::Update && h.on_update) h.on_update(d.old_object, d.object);
        if (d.kind == Delta::Delete && h.on_delete) h.on_delete(d.object);
      }
  }

  // A full list replaces the cache; differences become the usual add/update/delete.
  void relist() {
    std::vector<ObjectPtr> items;
    ListOptions options = selectors;
    options.resource_version.clear();
    options.limit = kListPage;
    std::string revision;
    do {
      ObjectList page = client->list(gvr, ns, options);
      if (revision.empty()) revision = page.resource_version;
      for (auto& item : page.items) items.push_back(std::move(item));
      options.continue_token = page.continue_token;
    } while (!options.continue_token.empty() && !stopping);

    std::vector<Delta> deltas;
    {
      std::lock_guard lock(mutex);
      std::set<std::string> seen;
      for (auto& item : items) {
        std::string key = object_key(*item);
        seen.insert(key);
        auto it = cache.find(key);
        if (it != cache.end() &&
            meta_field(*it->second, "resourceVersion") == meta_field(*item, "resourceVersion"))
          continue;
        put_locked(key, std::move(item), deltas);
      }
      std::vector<std::string> gone;
      for (const auto& [key, object] : cache)
        if (!seen.count(key)) gone.push_back(key);
      for (const auto& key : gone) erase_locked(key, nullptr, deltas);
      resource_version = revision;
      ++relists;
    }
    dispatch(deltas);
    {
      std::lock_guard lock(mutex);
      synced = true;
    }
    synced_cv.notify_all();
  }

  // Follows the watch until it ends; returns true when a re-list is needed.
  bool follow() {
    ListOptions options = selectors;
    {
      std::lock_guard lock(mutex);
      options.resource_version = resource_version;
    }
    options.allow_bookmarks = true;
    static thread_local std::mt19937 rng{std::random_device{}()};
    options.timeout = std::chrono::seconds(300 + rng() % 300);
    auto stream = client->watch(gvr, ns, options);
    while (!stopping) {
      auto event = stream->next(kPoll);
      if (!event) {
        if (stream->done()) return false;  // server closed it: resume from where we are
        continue;
      }
      // 410 Expired or any other error: our revision is no longer a safe start point.
      if (event->type == WatchEventType::Error) return true;
      std::string rv = meta_field(*event->object, "resourceVersion");
      std::vector<Delta> deltas;
      {
        std::lock_guard lock(mutex);
        if (event->type == WatchEventType::Added || event->type == WatchEventType::Modified)
          put_locked(object_key(*event->object), event->object, deltas);
        else if (event->type == WatchEventType::Deleted)
          erase_locked(object_key(*event->object), event->object, deltas);
        if (!rv.empty()) resource_version = rv;
      }
      dispatch(deltas);
    }
    stream->stop();
    return false;
  }

  void run() {
    bool need_list = true;
    auto backoff = std::chrono::milliseconds(100);
    while (!stopping) {
      try {
        if (need_list) relist();
        need_list = follow();
        backoff = std::chrono::milliseconds(100);
      } catch (const std::exception&) {
        // The server is unreachable or refused us: try again, a little later each time.
        for (auto until = Clock::now() + backoff; !stopping && Clock::now() < until;)
          std::this_thread::sleep_for(std::chrono::milliseconds(20));
        backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
        need_list = true;
      }
    }
  }
};

Informer::Informer(std::shared_ptr<Client> client, GroupVersionResource gvr, std::string ns,
                   ListOptions selectors)
    : state_(std::make_unique<State>()) {
  state_->client = std::move(client);
  state_->gvr = std::move(gvr);
  state_->ns = std::move(ns);
  state_->selectors = std::move(selectors);
}

Informer::~Informer() {
  stop();
}

void Informer::add_handlers(InformerHandlers handlers) {
  std::vector<ObjectPtr> existing;
  {
    std::lock_guard lock(state_->mutex);
    state_->handlers.push_back(handlers);
    for (const auto& [key, object] : state_->cache) existing.push_back(object);
  }
  if (handlers.on_add) {
    std::lock_guard lock(state_->handlers_mutex);
    for (const auto& object : existing) handlers.on_add(object);
  }
}

void Informer::add_indexer(const std::string& name, IndexFunc index) {
  std::lock_guard lock(state_->mutex);
  state_->indexers[name] = std::move(index);
  for (const auto& [key, object] : state_->cache)
    for (const auto& value : state_->indexers[name](*object)) state_->indices[name][value].insert(key);
}

void Informer::start() {
  if (state_->thread.joinable()) return;
  state_->stopping = false;
  state_->thread = std::thread([s = state_.get()] { s->run(); });
}

void Informer::stop() {
  state_->stopping = true;
  if (state_->thread.joinable()) state_->thread.join();
}

bool Informer::wait_for_sync(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(state_->mutex);
  return state_->synced_cv.wait_for(lock, timeout, [&] { return state_->synced; });
}

bool Informer::has_synced() const {
  std::lock_guard lock(state_->mutex);
  return state_->synced;
}

ObjectPtr Informer::get(std::string_view key) const {
  std::lock_guard lock(state_->mutex);
  auto it = state_->cache.find(key);
  return it == state_->cache.end() ? nullptr : it->second;
}

std::vector<ObjectPtr> Informer::list() const {
  std::lock_guard lock(state_->mutex);
  std::vector<ObjectPtr> out;
  out.reserve(state_->cache.size());
  for (const auto& [key, object] : state_->cache) out.push_back(object);
  return out;
}

std::vector<ObjectPtr> Informer::by_index(std::string_view index, std::string_view value) const {
  std::lock_guard lock(state_->mutex);
  std::vector<ObjectPtr> out;
  auto idx = state_->indices.find(index);
  if (idx == state_->indices.end()) return out;
  auto keys = idx->second.find(value);
  if (keys == idx->second.end()) return out;
  for (const auto& key : keys->second)
    if (auto it = state_->cache.find(key); it != state_->cache.end()) out.push_back(it->second);
  return out;
}

std::string Informer::resource_version() const {
  std::lock_guard lock(state_->mutex);
  return state_->resource_version;
}

uint64_t Informer::relist_count() const {
  std::lock_guard lock(state_->mutex);
  return state_->relists;
}

}  // namespace ukube
