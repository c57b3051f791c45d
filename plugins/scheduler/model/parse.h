#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <boost/json/fwd.hpp>

#include "ukube/scheduler/node_info.h"
#include "ukube/scheduler/pod_info.h"

// JSON objects into the scheduler's parsed views, once per object version.
namespace ukube::scheduler {

// Priority of a PriorityClass by name (nullopt when unknown), and the global default.
struct PriorityResolver {
  std::function<std::optional<int32_t>(const std::string& class_name)> by_name;
  std::function<int32_t()> global_default;
};

PodInfoPtr parse_pod(std::shared_ptr<const boost::json::object> object,
                     const PriorityResolver* priorities = nullptr);

// Fills the node's own fields (name, labels, taints, allocatable, images); leaves the
// pod-derived fields alone.
void parse_node(std::shared_ptr<const boost::json::object> object, NodeInfo& node);

LabelSelector parse_label_selector(const boost::json::value* selector);
Labels parse_labels(const boost::json::value* labels);

// "nginx" -> "docker.io/library/nginx:latest"-style normal form, so pods and node image
// lists compare equal however they spell an image.
std::string normalize_image(std::string_view image);

}  // namespace ukube::scheduler
