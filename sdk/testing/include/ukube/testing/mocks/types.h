#pragma once

#include <gmock/gmock.h>

#include "ukube/types.h"

// A GoogleMock mock of the type registry (ukube/types.h), for plugins that register or
// look up types in init().
namespace ukube::testing {

class MockTypeRegistry : public TypeRegistry {
 public:
  MockTypeRegistry();
  ~MockTypeRegistry() override;
  MOCK_METHOD(TypeInfoPtr, add, (TypeInfo type), (override));
  MOCK_METHOD(bool, remove, (const GroupVersionResource& gvr), (override));
  MOCK_METHOD(TypeInfoPtr, extend,
              (const GroupVersionResource& gvr, const std::function<void(TypeInfo&)>& edit), (override));
  MOCK_METHOD(TypeInfoPtr, find, (const GroupVersionResource& gvr), (const, override));
  MOCK_METHOD(TypeInfoPtr, find_kind, (const GroupVersionKind& gvk), (const, override));
  MOCK_METHOD(std::vector<TypeInfoPtr>, resolve, (std::string_view name), (const, override));
  MOCK_METHOD(std::vector<TypeInfoPtr>, all, (), (const, override));
  MOCK_METHOD(uint64_t, generation, (), (const, override));
};

}  // namespace ukube::testing
