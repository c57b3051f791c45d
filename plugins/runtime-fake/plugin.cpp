// The library's registrar: identity and factory only.
#include "ukube/plugin.h"
#include "fake_runtime_plugin.h"
#include "runtime-fake/config.pb.h"

UKUBE_DEFINE_PLUGIN("ukube.runtime.v1", "fake", ukube::runtime::fake::FakeRuntimePlugin,
                    &ukube::runtime::fake::FakeRuntimeConfig::default_instance())
