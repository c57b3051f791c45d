#include "pod_label_index.h"

#include <algorithm>
#include <optional>

namespace ukube::runtime::fake {
namespace {

std::optional<std::string> pod_of(const Labels& labels) {
  auto ns = labels.find(label::kPodNamespace);
  auto name = labels.find(label::kPodName);
  if (ns == labels.end() || name == labels.end()) return std::nullopt;
  return ns->second + '/' + name->second;
}

}  // namespace

void PodLabelIndex::add(const Labels& labels, const std::string& id) {
  if (auto pod = pod_of(labels)) ids_[*pod].push_back(id);
}

void PodLabelIndex::remove(const Labels& labels, const std::string& id) {
  auto pod = pod_of(labels);
  if (!pod) return;
  auto it = ids_.find(*pod);
  if (it == ids_.end()) return;
  std::erase(it->second, id);
  if (it->second.empty()) ids_.erase(it);
}

const std::vector<std::string>* PodLabelIndex::find(const Labels& selector) const {
  static const std::vector<std::string> kNone;
  auto pod = pod_of(selector);
  if (!pod) return nullptr;
  auto it = ids_.find(*pod);
  return it == ids_.end() ? &kNone : &it->second;
}

}  // namespace ukube::runtime::fake
