#pragma once

#include <string>

#include "ukube/client.h"
#include "ukube/controller/event_recorder.h"
#include "ukube/scheduler/pod_info.h"

// What the scheduler writes about a pod besides its binding: the PodScheduled and
// DisruptionTarget conditions, the nominated node, and events.
namespace ukube::scheduler {

struct FailureWrite {
  std::string reason = "Unschedulable";  // or SchedulerError
  std::string message;
  std::string nominated_node;  // empty: leave as is
  bool clear_nominated = false;
};

// Patches status.conditions[PodScheduled] = False (and nominatedNodeName) unless the
// pod already says exactly that. Returns false when the pod is gone.
bool write_unschedulable_status(Client& client, const PodInfo& pod, const FailureWrite& failure);
// After a pod that once failed is bound: its PodScheduled condition becomes True.
void write_scheduled_status(Client& client, const PodInfo& pod);
bool has_pod_scheduled_false(const PodInfo& pod);

// Marks a preemption victim, before it is deleted, with the DisruptionTarget condition
// (reason PreemptionByScheduler), unless it already says exactly that. Returns false
// when the pod is gone.
bool write_disruption_target(Client& client, const PodInfo& victim, const std::string& message);
// Drops status.nominatedNodeName: a higher-priority pod took the room it was nominated
// to. Returns false when the pod is gone.
bool clear_nominated_node(Client& client, const PodInfo& pod);

// A core/v1 Event about the pod from `component` (a profile's scheduler name), through the
// shared recorder: repeats are counted, bursts rate limited, the write is best effort.
void write_pod_event(controller::EventRecorder& events, const PodInfo& pod, const std::string& component,
                     const std::string& type, const std::string& reason, const std::string& message);

// Options for the scheduler's writes, whose answers nobody reads (not decoded in-process).
WriteOptions fire_and_forget();

}  // namespace ukube::scheduler
