'use strict';
/**
 * Debian's librdkafka 2.0.2 mock cluster answers Metadata naming controller 0, a broker that does
 * not exist (its brokers are 1…N). kafkajs asks the controller for an idempotent producer's id
 * (InitProducerId) and fails with "Broker 0 not found in the cached metadata". Any mock broker
 * answers InitProducerId, so here, and only when the controller named is not among the brokers,
 * kafkajs is sent to the lowest-numbered broker instead. Nothing else changes: the producer's
 * idempotence (a producer id and epoch from the broker, sequence numbers the broker checks) runs
 * as it does in production, with `idempotent: true`.
 *
 * Plain CommonJS so that a service started as its own process in a test loads it too, through
 * mock-controller-preload.cjs (`NODE_OPTIONS=--require …`, MOCK_CONTROLLER_PRELOAD).
 */
const mockController = { fallbacks: 0 };

function letKafkajsFindTheMockController() {
  const { prototype } = require('kafkajs/src/cluster');
  if (prototype.findControllerBroker.name === 'mockControllerFallback') return;
  const original = prototype.findControllerBroker;
  prototype.findControllerBroker = async function mockControllerFallback() {
    const { metadata } = this.brokerPool;
    const named = metadata && metadata.controllerId;
    if (!metadata || named == null || metadata.brokers.some((broker) => broker.nodeId === named)) return original.call(this);
    const lowest = Math.min(...metadata.brokers.map((broker) => broker.nodeId));
    mockController.fallbacks += 1;
    return this.findBroker({ nodeId: lowest });
  };
}

module.exports = { mockController, letKafkajsFindTheMockController };
