#pragma once

// Symbols shared between the daemon, libukube-core and plugins. Plugins are built with
// -fvisibility=hidden, so every type whose RTTI or vtable crosses a shared object
// must carry UKUBE_API or dynamic_cast and exceptions break at the boundary.
#define UKUBE_API __attribute__((visibility("default")))
