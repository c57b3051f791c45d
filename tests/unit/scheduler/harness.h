#pragma once

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <map>
#include <memory>
#include <string>

#include "cache/cache.h"
#include "framework/framework.h"
#include "framework/registry.h"
#include "model/parse.h"

// Builders for nodes and pods in a few words, and a harness that runs one framework
// plugin against a real Cache, the way the framework would.
namespace ukube::scheduler::testing {

namespace json = boost::json;

inline std::shared_ptr<const json::object> obj(const std::string& text) {
  return std::make_shared<const json::object>(json::parse(text).as_object());
}

// A node with allocatable cpu / memory / pods, labels (kubernetes.io/hostname is added)
// and optional spec fields as JSON text (e.g. taints).
struct NodeSpec {
  NodeSpec(std::string n, std::string c = "4", std::string m = "8Gi", int p = 110)
      : name(std::move(n)), cpu(std::move(c)), memory(std::move(m)), pods(p) {}
  std::string name;
  std::string cpu = "4";
  std::string memory = "8Gi";
  int pods = 110;
  json::object labels;
  json::object spec;
  json::array images;
};

inline std::shared_ptr<const json::object> node_object(NodeSpec n) {
  n.labels["kubernetes.io/hostname"] = n.name;
  json::object o{{"apiVersion", "v1"},
                 {"kind", "Node"},
                 {"metadata", {{"name", n.name}, {"labels", n.labels}}},
                 {"spec", n.spec},
                 {"status",
                  {{"allocatable", {{"cpu", n.cpu}, {"memory", n.memory}, {"pods", std::to_string(n.pods)}}},
                   {"images", n.images}}}};
  return std::make_shared<const json::object>(std::move(o));
}

// A pod from its spec as JSON text; containers default to one "c" with no requests.
inline PodInfoPtr pod(const std::string& name, const std::string& spec_text = "{}",
                      const std::string& labels = "{}", const std::string& ns = "default") {
  json::object spec = json::parse(spec_text).as_object();
  if (!spec.contains("containers"))
    spec["containers"] = json::array{json::object{{"name", "c"}, {"image", "app"}}};
  json::object o{{"apiVersion", "v1"},
                 {"kind", "Pod"},
                 {"metadata",
                  {{"name", name},
                   {"namespace", ns},
                   {"uid", ns + "-" + name},
                   {"labels", json::parse(labels)},
                   {"creationTimestamp", "2024-01-01T00:00:00Z"}}},
                 {"spec", spec}};
  return parse_pod(std::make_shared<const json::object>(std::move(o)));
}

// Spec text of one container with the given requests.
inline std::string requests(const std::string& cpu, const std::string& memory = "") {
  json::object req;
  if (!cpu.empty()) req["cpu"] = cpu;
  if (!memory.empty()) req["memory"] = memory;
  return json::serialize(json::object{
      {"containers",
       json::array{json::object{{"name", "c"}, {"image", "app"}, {"resources", {{"requests", req}}}}}}});
}

inline PodInfoPtr on(PodInfoPtr p, const std::string& node) {
  auto copy = std::make_shared<PodInfo>(*p);
  copy->node_name = node;
  return copy;
}

class NullHandle : public Handle {
 public:
  explicit NullHandle(const Snapshot& s) : snapshot_(s) {}
  const Snapshot& snapshot() const override { return snapshot_; }
  Client& client() override { throw std::logic_error("no client in this test"); }
  Status run_filters(const CycleState&, const PodInfo&, const NodeInfo&) override { return {}; }
  Status run_filters_with_nominated(const CycleState&, const PodInfo&, const NodeInfo&) override {
    return {};
  }
  Status run_remove_pod(CycleState&, const PodInfo&, const PodInfo&, const NodeInfo&) override { return {}; }
  Status run_add_pod(CycleState&, const PodInfo&, const PodInfo&, const NodeInfo&) override { return {}; }
  void allow(const std::string&, const std::string&) override {}
  void reject(const std::string&, const std::string&, const std::string&) override {}
  std::vector<PodInfoPtr> nominated_pods(const std::string&) const override { return {}; }
  const ObjectLister* listers() const override { return listers_; }
  void set_listers(const ObjectLister* listers) { listers_ = listers; }

 private:
  const Snapshot& snapshot_;
  const ObjectLister* listers_ = nullptr;
};

// One plugin, created by name from the in-tree registry, over a cache the test fills.
class PluginHarness {
 public:
  explicit PluginHarness(const std::string& name, const json::object& args = {}) : handle_(cache_) {
    register_in_tree(registry_);
    plugin_ = (*registry_.find(name))(args, handle_);
  }

  void node(NodeSpec n) { cache_.add_node(node_object(std::move(n))); }
  void bound(PodInfoPtr p, const std::string& node) { cache_.add_pod(on(std::move(p), node)); }
  Cache& cache() { return cache_; }
  // What the plugin's Handle::listers() answers with; it must stay alive while the plugin runs.
  void listers(const ObjectLister* l) { handle_.set_listers(l); }

  // PreFilter (when implemented) then Filter on one node; Skip at PreFilter passes.
  Status filter(const PodInfo& p, const std::string& node) {
    cache_.refresh();
    CycleState state;
    if (auto* pre = dynamic_cast<PreFilterPlugin*>(plugin_.get())) {
      PreFilterResult r;
      Status s = pre->pre_filter(state, p, r);
      if (s.is_skip()) return {};
      if (!s.ok()) return s;
      if (!r.all_nodes && std::find(r.node_names.begin(), r.node_names.end(), node) == r.node_names.end())
        return Status::unresolvable("excluded by PreFilter");
    }
    const NodeInfo* n = cache_.find(node);
    EXPECT_NE(n, nullptr) << node;
    return dynamic_cast<FilterPlugin*>(plugin_.get())->filter(state, p, *n);
  }

  // PreScore (Skip: every node 0), Score and normalize over all nodes, by node name.
  std::map<std::string, int64_t> scores(const PodInfo& p) {
    cache_.refresh();
    CycleState state;
    std::vector<const NodeInfo*> nodes = cache_.nodes();
    std::map<std::string, int64_t> out;
    if (auto* pre = dynamic_cast<PreScorePlugin*>(plugin_.get())) {
      Status s = pre->pre_score(state, p, nodes);
      if (s.is_skip()) {
        for (auto* n : nodes) out[n->name] = 0;
        return out;
      }
      EXPECT_TRUE(s.ok()) << s.message();
    }
    auto* score = dynamic_cast<ScorePlugin*>(plugin_.get());
    std::vector<NodeScore> ns;
    for (auto* n : nodes) {
      NodeScore s{n, 0};
      EXPECT_TRUE(score->score(state, p, *n, s.score).ok());
      ns.push_back(s);
    }
    EXPECT_TRUE(score->normalize(state, p, ns).ok());
    for (const auto& s : ns) out[s.node->name] = s.score;
    return out;
  }

  FrameworkPlugin& plugin() { return *plugin_; }

 private:
  Cache cache_;
  NullHandle handle_;
  Registry registry_;
  std::unique_ptr<FrameworkPlugin> plugin_;
};

}  // namespace ukube::scheduler::testing
