#pragma once

#include <gmock/gmock.h>

#include <memory>
#include <string>
#include <vector>

#include "ukube/auth.h"
#include "ukube/informer_factory.h"
#include "ukube/testing/fake_client.h"
#include "ukube/testing/mocks/plugin.h"

// A controller plugin's init context as the daemon hands it, over a FakeClient: `config`
// (when given), a client for whichever user the plugin asks to act as (the names asked for
// are kept in `users`), shared informers over that client, no logger. Declare it before
// the plugin, so the plugin goes first.
namespace ukube::testing {

struct ControllerContext {
  std::shared_ptr<FakeClient> client = std::make_shared<FakeClient>();
  SharedInformerFactory informers{client, 1};
  ::testing::NiceMock<MockInitContext> ctx;
  std::vector<std::string> users;

  explicit ControllerContext(const google::protobuf::Message* config = nullptr) {
    if (config) ON_CALL(ctx, config()).WillByDefault(::testing::ReturnRef(*config));
    ON_CALL(ctx, client(::testing::_)).WillByDefault([this](const UserInfo& user) {
      users.push_back(user.name);
      return std::shared_ptr<Client>(client);
    });
    ON_CALL(ctx, informers()).WillByDefault(::testing::ReturnRef(informers));
    ON_CALL(ctx, logger()).WillByDefault(::testing::Return(nullptr));
  }
  ~ControllerContext() { informers.shutdown(); }
};

}  // namespace ukube::testing
