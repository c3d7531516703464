/*
 * A real Kafka-protocol broker for tests: librdkafka's mock cluster (Debian's librdkafka-dev).
 * Usage: mock-cluster BROKERS TOPIC[:PARTITIONS] ...
 * Prints "bootstrap <host:port,...>" once the cluster is up, then reads commands on stdin, one
 * per line, answering "ok" or "error <reason>":
 *   down <id|-1>     disconnect a broker (-1: all) and refuse new connections
 *   up <id|-1>       accept connections again
 *   topic <name> <partitions>
 * Exits when stdin closes. Topics are created here because Debian's librdkafka 2.0.2 names
 * controller id 0 in its metadata, which kafkajs's admin client cannot find.
 */
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int create_topic(rd_kafka_mock_cluster_t *cluster, const char *name, int partitions) {
  return rd_kafka_mock_topic_create(cluster, name, partitions, 1) == RD_KAFKA_RESP_ERR_NO_ERROR;
}

int main(int argc, char **argv) {
  char errstr[512];
  if (argc < 2) {
    fprintf(stderr, "usage: %s BROKERS [TOPIC[:PARTITIONS]]...\n", argv[0]);
    return 2;
  }
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof errstr);
  /* The mock cluster lives inside a client instance; this one is never used to produce. */
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (!rk) {
    fprintf(stderr, "rd_kafka_new: %s\n", errstr);
    return 1;
  }
  rd_kafka_mock_cluster_t *cluster = rd_kafka_mock_cluster_new(rk, atoi(argv[1]));
  if (!cluster) {
    fprintf(stderr, "rd_kafka_mock_cluster_new failed\n");
    return 1;
  }
  for (int i = 2; i < argc; i++) {
    char *colon = strchr(argv[i], ':');
    int partitions = colon ? atoi(colon + 1) : 1;
    if (colon) *colon = '\0';
    if (!create_topic(cluster, argv[i], partitions)) {
      fprintf(stderr, "cannot create topic %s\n", argv[i]);
      return 1;
    }
  }
  printf("bootstrap %s\n", rd_kafka_mock_cluster_bootstraps(cluster));
  fflush(stdout);

  char line[512], name[256];
  int number;
  while (fgets(line, sizeof line, stdin)) {
    int ok;
    if (sscanf(line, "down %d", &number) == 1)
      ok = rd_kafka_mock_broker_set_down(cluster, number) == RD_KAFKA_RESP_ERR_NO_ERROR;
    else if (sscanf(line, "up %d", &number) == 1)
      ok = rd_kafka_mock_broker_set_up(cluster, number) == RD_KAFKA_RESP_ERR_NO_ERROR;
    else if (sscanf(line, "topic %255s %d", name, &number) == 2)
      ok = create_topic(cluster, name, number);
    else {
      printf("error unknown command\n");
      fflush(stdout);
      continue;
    }
    printf(ok ? "ok\n" : "error failed\n");
    fflush(stdout);
  }
  rd_kafka_mock_cluster_destroy(cluster);
  rd_kafka_destroy(rk);
  return 0;
}
