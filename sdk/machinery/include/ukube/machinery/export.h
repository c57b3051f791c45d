#pragma once

// libukube-machinery.so is built with hidden visibility; what it offers plugins carries
// this mark, so its symbol table is exactly the API below.
#define UKUBE_MACHINERY_API __attribute__((visibility("default")))
