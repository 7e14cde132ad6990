#ifndef CASE_REMINDERS_CRDKAFKA_SHIM_H
#define CASE_REMINDERS_CRDKAFKA_SHIM_H

#include <librdkafka/rdkafka.h>

/* rd_kafka_producev is variadic, which Swift cannot call: this typed wrapper
 * produces one message with key, value, headers and a per-message opaque that
 * comes back in the delivery report. The payload is copied, so the caller's
 * buffers may be released as soon as this returns. Ownership of `headers`
 * passes to librdkafka on success only. */
static inline rd_kafka_resp_err_t
crdkafka_produce(rd_kafka_t *rk,
                 const char *topic,
                 int32_t partition,
                 const void *key, size_t key_len,
                 const void *value, size_t value_len,
                 rd_kafka_headers_t *headers,
                 void *message_opaque)
{
    return rd_kafka_producev(rk,
                             RD_KAFKA_V_TOPIC(topic),
                             RD_KAFKA_V_PARTITION(partition),
                             RD_KAFKA_V_KEY(key, key_len),
                             RD_KAFKA_V_VALUE((void *)value, value_len),
                             RD_KAFKA_V_HEADERS(headers),
                             RD_KAFKA_V_OPAQUE(message_opaque),
                             RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                             RD_KAFKA_V_END);
}

/* RD_KAFKA_PARTITION_UA is a macro Swift imports poorly. */
static inline int32_t crdkafka_partition_unassigned(void) { return RD_KAFKA_PARTITION_UA; }

/* The function rd_kafka_metadata shares its name with the struct it returns,
 * which Swift cannot tell apart: this wrapper names only the function. */
static inline rd_kafka_resp_err_t
crdkafka_metadata(rd_kafka_t *rk,
                  int all_topics,
                  const rd_kafka_metadata_t **metadatap,
                  int timeout_ms)
{
    return rd_kafka_metadata(rk, all_topics, NULL, metadatap, timeout_ms);
}

/* Metadata of one topic only: a cluster with many topics answers an
 * all-topics request with all of them, which costs the broker for nothing
 * when a client needs one. */
static inline rd_kafka_resp_err_t
crdkafka_topic_metadata(rd_kafka_t *rk,
                        const char *topic,
                        const rd_kafka_metadata_t **metadatap,
                        int timeout_ms)
{
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
    if (rkt == NULL)
        return rd_kafka_last_error();
    rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, rkt, metadatap, timeout_ms);
    rd_kafka_topic_destroy(rkt);
    return err;
}

/* Purge flags are macros; named constants keep the Swift side typed. */
static inline int crdkafka_purge_queued_and_inflight(void) {
    return RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT;
}

#endif
