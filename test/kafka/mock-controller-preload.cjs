'use strict';
// Preloaded (`node --require`) into a service a test starts as its own process against the mock cluster: see mock-controller.cjs.
require('./mock-controller.cjs').letKafkajsFindTheMockController();
