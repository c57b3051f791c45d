// The library's registrar: identity and factory only.
#include "ukube/plugin.h"
#include "process_runtime_plugin.h"
#include "runtime-process/config.pb.h"

UKUBE_DEFINE_PLUGIN("ukube.runtime.v1", "process", ukube::runtime::process::ProcessRuntimePlugin,
                    &ukube::runtime::process::ProcessRuntimeConfig::default_instance())
