#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "ukube/client.h"
#include "ukube/controller/event_correlator.h"

namespace ukube::controller {
class EventRecorder;
}

// The pods of a Job and the writes the Job controller makes to them. A job's pods are
// made as upstream's: from the template, controlled by the job, carrying the
// batch.kubernetes.io/job-tracking finalizer so a pod is never gone before it was counted,
// and for Indexed jobs named <job>-<index>-<random> with the completion index as
// annotation, label, hostname and JOB_COMPLETION_INDEX. sdk/machinery's PodControl always
// names pods <owner>-<random>, hence the Job's own creation here.
namespace ukube::controllers::job {

inline const GroupVersionKind kJobKind{"batch", "v1", "Job"};

// upstream's podGenerateNameWithIndex: "<job>-<index>-", the job's name cut so that the
// generated name fits in 63 characters.
std::string indexed_generate_name(std::string_view job_name, int64_t index);

// The pod to create for `job` (with its uid), for completion `index` (-1: NonIndexed).
boost::json::object job_pod(const boost::json::object& job, int64_t index);

class JobPodControl {
 public:
  // `events` may be null.
  JobPodControl(std::shared_ptr<Client> client, controller::EventRecorder* events);

  // Creates the pod; records SuccessfulCreate / FailedCreate on the job. Throws the API error.
  ObjectPtr create(const boost::json::object& job, int64_t index);
  // Deletes the pod; records SuccessfulDelete / FailedDelete. Returns false when it was
  // already gone; throws other errors.
  bool remove(const boost::json::object& job, const boost::json::object& pod);
  // Takes the tracking finalizer off the pod with a patch that fails if its finalizers
  // changed meanwhile. Returns false when the pod is gone; throws other errors.
  bool remove_finalizer(const boost::json::object& pod);
  // Puts the tracking finalizer on a pod the job adopted, as upstream's adoption does.
  // Returns the pod as patched, null when it is gone; throws other errors.
  ObjectPtr add_finalizer(const boost::json::object& pod);

 private:
  void record(const boost::json::object& job, const char* type, const char* reason,
              const std::string& message);

  std::shared_ptr<Client> client_;
  controller::EventRecorder* events_;
};

}  // namespace ukube::controllers::job
