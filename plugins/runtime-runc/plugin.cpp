// The library's registrar: identity and factory only.
#include "ukube/plugin.h"
#include "runc_runtime_plugin.h"
#include "runtime-runc/config.pb.h"

UKUBE_DEFINE_PLUGIN("ukube.runtime.v1", "runc", ukube::runtime::runc::RuncRuntimePlugin,
                    &ukube::runtime::runc::RuncRuntimeConfig::default_instance())
