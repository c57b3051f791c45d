// The library's registrar: identity and factory only; the plugin lives in scheduler_plugin.cpp.
#include "ukube/plugin.h"
#include "scheduler/config.pb.h"
#include "scheduler_plugin.h"

UKUBE_DEFINE_PLUGIN("ukube.scheduler.v1", "default", ukube::scheduler::SchedulerPlugin,
                    &ukube::scheduler::config::SchedulerConfig::default_instance(), "ukube.types.v1")
