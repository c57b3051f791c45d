#include "kernel/host/host.h"

#include <algorithm>
#include <map>
#include <set>

#include <google/protobuf/message.h>
#include <google/protobuf/util/message_differencer.h>
#include <spdlog/spdlog.h>

#include "kernel/host/plan.h"
#include "kernel/host/text.h"

namespace ukube::host {

struct Host::Slot {
  std::string uri, type, id;
  std::filesystem::path library;
  const PluginDescriptor* descriptor = nullptr;
  std::shared_ptr<const google::protobuf::Message> config;
  bool optional = false;
  std::vector<std::string> dep_uris;  // plugins it required when it was created
  std::unique_ptr<Context> context;
  std::unique_ptr<Plugin> instance;
  PluginState state = PluginState::Loaded;
  std::string reason;  // why it failed or was skipped

  bool visible() const { return state == PluginState::Initialized || state == PluginState::Running; }
};

namespace {

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

const char* what_of(std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "an exception that is not a std::exception";
  }
}

}  // namespace

std::string_view to_string(PluginState state) {
  switch (state) {
    case PluginState::Available: return "available";
    case PluginState::Loaded: return "loaded";
    case PluginState::Initialized: return "initialized";
    case PluginState::Running: return "running";
    case PluginState::Stopped: return "stopped";
    case PluginState::Failed: return "failed";
    case PluginState::Skipped: return "skipped";
  }
  return "unknown";
}

std::string ReloadResult::summary() const {
  std::vector<std::string> parts;
  auto add = [&](const char* what, const std::vector<std::string>& uris) {
    if (!uris.empty()) parts.push_back(std::string(what) + " " + join(uris, ", "));
  };
  add("added", added);
  add("removed", removed);
  add("reconfigured", reconfigured);
  add("restarted", restarted);
  return parts.empty() ? "no plugin changed" : join(parts, "; ");
}

std::unique_ptr<Host> Host::create(DaemonConfig config, KernelServices services,
                                   std::shared_ptr<spdlog::logger> logger) {
  if (!logger) logger = spdlog::default_logger();
  Catalog catalog = Catalog::scan(plugin_search_dirs(config), logger.get());
  return create(std::move(config), std::move(catalog), std::move(services), std::move(logger));
}

std::unique_ptr<Host> Host::create(DaemonConfig config, Catalog catalog, KernelServices services,
                                   std::shared_ptr<spdlog::logger> logger) {
  if (!logger) logger = spdlog::default_logger();
  Plan plan = resolve_plan(config, catalog);
  if (!plan.ok())
    throw HostError(config.source + ": cannot load the configured plugins:\n" + plan.refusals());
  std::unique_ptr<Host> host(
      new Host(std::move(config), std::move(catalog), std::move(services), std::move(logger)));
  host->slots_ = host->slots_for(plan);
  for (const auto& slot : host->slots_)
    host->log_->debug("plugin {} loaded from {}", slot->uri, slot->library.string());
  return host;
}

Host::Host(DaemonConfig config, Catalog catalog, KernelServices services,
           std::shared_ptr<spdlog::logger> logger)
    : config_(std::move(config)),
      catalog_(std::move(catalog)),
      services_(std::move(services)),
      log_(std::move(logger)),
      data_dir_(std::filesystem::absolute(config_.data_dir).lexically_normal()) {}

Host::~Host() {
  stop();
}

Host::Slots Host::slots_for(const Plan& plan) const {
  Slots slots;
  for (std::size_t i : plan.order) {
    const ResolvedPlugin& p = plan.plugins[i];
    auto slot = std::make_shared<Slot>();
    slot->uri = p.uri;
    slot->type = p.type;
    slot->id = p.id;
    slot->library = p.library;
    slot->descriptor = p.descriptor;
    slot->config = p.config;
    slot->optional = p.optional;
    for (std::size_t d : p.deps) slot->dep_uris.push_back(plan.plugins[d].uri);
    slots.push_back(std::move(slot));
  }
  return slots;
}

void Host::set_state(Slot& slot, PluginState state, std::string reason) {
  std::lock_guard lock(table_mutex_);
  slot.state = state;
  slot.reason = std::move(reason);
}

void Host::create_and_init(Slot& slot) {
  const auto dir = data_dir_ / "plugins" / slot.uri;
  std::error_code ec;
  if (std::filesystem::create_directories(dir, ec))
    // Plugin state may hold keys and tokens: readable by the daemon's user only.
    std::filesystem::permissions(dir, std::filesystem::perms::owner_all, ec);
  if (ec) throw std::runtime_error("cannot create its state directory " + dir.string() + ": " + ec.message());

  const PluginLookup& lookup = *this;  // the base is private: only contexts see it
  auto context = std::make_unique<Context>(slot.uri, slot.config, dir, data_dir_, config_.listen,
                                           log_->clone(slot.uri), services_, lookup, informers_);
  std::unique_ptr<Plugin> instance = slot.descriptor->create();
  if (!instance) throw std::runtime_error("its descriptor's create() returned no plugin");
  Plugin* plugin = instance.get();
  Context* ctx = context.get();
  {
    std::lock_guard lock(table_mutex_);
    slot.context = std::move(context);
    slot.instance = std::move(instance);
  }
  plugin->init(*ctx);
}

void Host::bring_up(const Slots& group) {
  std::string failure;
  Slots created;
  for (const auto& slot : group) {
    try {
      create_and_init(*slot);
    } catch (...) {
      if (slot->optional) {
        // The machine cannot run it (no root, a program missing): the daemon goes on without.
        log_->warn("plugin {} is skipped: {}", slot->uri, what_of(std::current_exception()));
        set_state(*slot, PluginState::Skipped, what_of(std::current_exception()));
        destroy(*slot);
        continue;
      }
      failure = "plugin " + slot->uri + " failed to initialise: " + what_of(std::current_exception());
      set_state(*slot, PluginState::Failed, what_of(std::current_exception()));
      destroy(*slot);
      break;
    }
    set_state(*slot, PluginState::Initialized);
    created.push_back(slot);
    log_->debug("plugin {} initialised", slot->uri);
  }
  if (failure.empty()) {
    for (const auto& slot : group) {
      if (slot->state == PluginState::Skipped) continue;
      try {
        slot->instance->start();
      } catch (...) {
        failure = "plugin " + slot->uri + " failed to start: " + what_of(std::current_exception());
        // A plugin whose start() threw is not running: it is destroyed without stop().
        set_state(*slot, PluginState::Failed, what_of(std::current_exception()));
        destroy(*slot);
        created.erase(std::find(created.begin(), created.end(), slot));
        break;
      }
      set_state(*slot, PluginState::Running);
      log_->info("plugin {} running", slot->uri);
    }
  }
  if (failure.empty()) return;

  log_->error("{}", failure);
  std::vector<std::string> rolled_back;
  for (const auto& slot : created) rolled_back.push_back(slot->uri);
  shut_down(created);
  if (!rolled_back.empty()) failure += "; rolled back (stopped and destroyed): " + join(rolled_back, ", ");
  throw HostError(failure);
}

void Host::destroy(Slot& slot) {
  std::unique_ptr<Plugin> instance;
  std::unique_ptr<Context> context;
  {
    std::lock_guard lock(table_mutex_);
    instance = std::move(slot.instance);
    context = std::move(slot.context);
    if (slot.state != PluginState::Failed && slot.state != PluginState::Skipped)
      slot.state = PluginState::Stopped;
  }
  // The plugin may use its context while it is being destroyed, so it goes first.
  instance.reset();
  context.reset();
}

void Host::shut_down(const Slots& group) {
  for (auto it = group.rbegin(); it != group.rend(); ++it) {
    Slot& slot = **it;
    if (slot.state != PluginState::Running) continue;
    try {
      slot.instance->stop();
      set_state(slot, PluginState::Stopped);
      log_->info("plugin {} stopped", slot.uri);
    } catch (...) {
      std::string why = what_of(std::current_exception());
      log_->error("plugin {} failed to stop: {}", slot.uri, why);
      set_state(slot, PluginState::Failed, "stop: " + why);
    }
  }
  for (auto it = group.rbegin(); it != group.rend(); ++it)
    if ((*it)->instance) destroy(**it);
}

void Host::start() {
  std::lock_guard lock(lifecycle_mutex_);
  if (started_) return;
  bring_up(slots_);
  started_ = true;
}

void Host::stop() {
  std::lock_guard lock(lifecycle_mutex_);
  shut_down(slots_);
  // No plugin holds a handler any more: the shared informers can go.
  informers_.shutdown();
  started_ = false;
}

ReloadResult Host::reload(DaemonConfig new_config) {
  Catalog catalog = Catalog::scan(plugin_search_dirs(new_config), log_.get());
  return reload(std::move(new_config), std::move(catalog));
}

ReloadResult Host::reload(DaemonConfig new_config, Catalog catalog) {
  std::lock_guard lock(lifecycle_mutex_);
  const std::string refused = new_config.source + ": reload refused, nothing changed:\n";
  auto new_data_dir = std::filesystem::absolute(new_config.data_dir).lexically_normal();
  if (new_data_dir != data_dir_)
    throw HostError(refused + "data_dir cannot change while the daemon runs (" + data_dir_.string() + " -> " +
                    new_data_dir.string() + "); restart the daemon to move it");
  if (new_config.listen != config_.listen)
    throw HostError(refused + "listen cannot change while the daemon runs (" + config_.listen + " -> " +
                    new_config.listen + "); restart the daemon to serve elsewhere");

  Plan plan = resolve_plan(new_config, catalog);
  // A kept plugin losing what it requires is the usual way a reload goes wrong; say so
  // in those words rather than as a generic missing requirement.
  std::vector<std::string> problems;
  for (const auto& p : plan.plugins) {
    if (!p.refused()) continue;
    std::vector<std::string> removed_providers;
    if (p.descriptor && p.refusal.starts_with("missing requirement")) {
      for (const auto& slot : slots_) {
        if (slot->uri == p.uri || std::any_of(plan.plugins.begin(), plan.plugins.end(),
                                              [&](const ResolvedPlugin& n) { return n.uri == slot->uri; }))
          continue;
        for (const auto& requirement : p.descriptor->requires_)
          if ((slot->uri == requirement || slot->type == requirement) &&
              !contains(removed_providers, slot->uri))
            removed_providers.push_back(slot->uri);
      }
    }
    bool kept = std::any_of(slots_.begin(), slots_.end(), [&](const auto& s) { return s->uri == p.uri; });
    if (kept && !removed_providers.empty())
      problems.push_back(located(plan.source, p.line, p.uri,
                                 "it requires " + join(removed_providers, ", ") +
                                     ", which this reload removes; remove " + p.uri + " as well or keep " +
                                     join(removed_providers, ", ")));
    else
      problems.push_back(located(plan.source, p.line, p.uri, p.refusal));
  }
  if (!problems.empty()) throw HostError(refused + join(problems, "\n"));
  return apply(std::move(new_config), std::move(catalog), plan);
}

ReloadResult Host::apply(DaemonConfig new_config, Catalog catalog, const Plan& plan) {
  ReloadResult result;
  Slots next = slots_for(plan);
  std::map<std::string, std::shared_ptr<Slot>> old_by_uri, next_by_uri;
  for (const auto& slot : slots_) old_by_uri[slot->uri] = slot;
  for (const auto& slot : next) next_by_uri[slot->uri] = slot;

  if (!started_) {
    // Nothing runs yet: the new set simply replaces the loaded one.
    for (const auto& slot : next)
      if (!old_by_uri.count(slot->uri)) result.added.push_back(slot->uri);
    for (const auto& slot : slots_)
      if (!next_by_uri.count(slot->uri)) result.removed.push_back(slot->uri);
    std::lock_guard lock(table_mutex_);
    slots_ = std::move(next);
    config_ = std::move(new_config);
    catalog_ = std::move(catalog);
    return result;
  }

  // Kept plugins that must be re-created: their library changed, they are not running
  // (an earlier failure), or something they were built against is being removed.
  std::set<std::string> restart;
  std::vector<std::pair<std::shared_ptr<Slot>, std::shared_ptr<Slot>>> changed_config;  // old, new
  for (const auto& slot : next) {
    auto old = old_by_uri.find(slot->uri);
    if (old == old_by_uri.end()) {
      result.added.push_back(slot->uri);
      continue;
    }
    const Slot& before = *old->second;
    bool lost_dependency = std::any_of(before.dep_uris.begin(), before.dep_uris.end(),
                                       [&](const std::string& d) { return !next_by_uri.count(d); });
    if (before.descriptor != slot->descriptor || before.state != PluginState::Running || lost_dependency)
      restart.insert(slot->uri);
    else if (!google::protobuf::util::MessageDifferencer::Equals(*before.config, *slot->config))
      changed_config.emplace_back(old->second, slot);
  }
  for (const auto& slot : slots_)
    if (!next_by_uri.count(slot->uri)) result.removed.push_back(slot->uri);

  // Dependents of a re-created plugin hold pointers into the old instance: they are
  // re-created too.
  auto close_over_dependents = [&] {
    for (bool grew = true; grew;) {
      grew = false;
      for (const auto& slot : next) {
        if (restart.count(slot->uri) || !old_by_uri.count(slot->uri)) continue;
        const auto& old_deps = old_by_uri[slot->uri]->dep_uris;
        bool depends = std::any_of(restart.begin(), restart.end(), [&](const std::string& r) {
          return contains(slot->dep_uris, r) || contains(old_deps, r);
        });
        if (depends) grew = restart.insert(slot->uri).second || grew;
      }
    }
  };
  close_over_dependents();

  for (auto& [old, fresh] : changed_config) {
    if (restart.count(old->uri)) continue;
    bool applied = false;
    try {
      applied = old->instance->reconfigure(*fresh->config);
    } catch (...) {
      log_->warn("plugin {} failed to reconfigure in place ({}); restarting it", old->uri,
                 what_of(std::current_exception()));
    }
    if (applied) {
      old->context->replace_config(fresh->config);
      std::lock_guard lock(table_mutex_);
      old->config = fresh->config;
      result.reconfigured.push_back(old->uri);
      log_->info("plugin {} reconfigured in place", old->uri);
    } else {
      restart.insert(old->uri);
      // Later entries that require it are re-created rather than reconfigured: changed_config
      // follows dependency order, so they have not been asked yet.
      close_over_dependents();
    }
  }

  // Stop removed and restarting plugins together, in reverse of the old order, so each
  // stops before whatever it requires.
  Slots going;
  for (const auto& slot : slots_)
    if (!next_by_uri.count(slot->uri) || restart.count(slot->uri)) going.push_back(slot);
  shut_down(going);

  Slots coming;
  for (auto& slot : next) {
    if (!old_by_uri.count(slot->uri)) {
      coming.push_back(slot);
    } else if (restart.count(slot->uri)) {
      coming.push_back(slot);
      result.restarted.push_back(slot->uri);
    } else {
      // Keeps running untouched, but now also counts as depending on what it would see
      // through find()/all_of() (an added provider of a type it requires).
      auto kept = old_by_uri[slot->uri];
      for (const auto& d : slot->dep_uris)
        if (!contains(kept->dep_uris, d)) kept->dep_uris.push_back(d);
      slot = kept;
    }
  }
  {
    std::lock_guard lock(table_mutex_);
    slots_ = std::move(next);
    config_ = std::move(new_config);
    catalog_ = std::move(catalog);
  }
  try {
    bring_up(coming);
  } catch (const HostError& e) {
    result.error = e.what();
  }
  if (result.ok())
    log_->info("reload applied: {}", result.summary());
  else
    log_->error("reload partly applied ({}): {}", result.summary(), result.error);
  return result;
}

Plugin* Host::find(const std::string& uri_or_id) const {
  std::lock_guard lock(table_mutex_);
  for (const auto& slot : slots_)
    if (slot->visible() && slot->uri == uri_or_id) return slot->instance.get();
  // An id is a shorthand only while it is unambiguous.
  Plugin* match = nullptr;
  for (const auto& slot : slots_) {
    if (!slot->visible() || slot->id != uri_or_id) continue;
    if (match) return nullptr;
    match = slot->instance.get();
  }
  return match;
}

std::vector<Plugin*> Host::all() const {
  std::lock_guard lock(table_mutex_);
  std::vector<Plugin*> out;
  for (const auto& slot : slots_)
    if (slot->visible()) out.push_back(slot->instance.get());
  return out;
}

std::vector<PluginStatus> Host::describe() const {
  std::lock_guard lock(table_mutex_);
  std::vector<PluginStatus> rows;
  for (const auto& slot : slots_) {
    std::string state(to_string(slot->state));
    if (slot->state == PluginState::Failed || slot->state == PluginState::Skipped)
      state += ": " + slot->reason;
    rows.push_back({slot->type, slot->id, std::move(state), slot->library.string()});
  }
  append_unused_rows(rows, config_, catalog_);
  return rows;
}

DaemonConfig Host::config() const {
  std::lock_guard lock(table_mutex_);
  return config_;
}

}  // namespace ukube::host
