package main

import (
	"math"
	"sync"
)

// bucketGrowth is the ratio between consecutive histogram bucket bounds (2 % resolution).
const bucketGrowth = 1.02

// Histogram counts latencies in microseconds in log-spaced buckets. Bucket i holds values
// in [bucketGrowth^i, bucketGrowth^(i+1)); values below 1 µs go to bucket 0. It is safe
// for concurrent use. Buckets merge across processes by adding counts per index.
type Histogram struct {
	mu      sync.Mutex
	buckets map[int]int64
	count   int64
}

// NewHistogram returns an empty histogram.
func NewHistogram() *Histogram {
	return &Histogram{buckets: make(map[int]int64)}
}

// BucketIndex is the bucket of a latency of micros microseconds.
func BucketIndex(micros float64) int {
	if micros < 1 {
		return 0
	}
	return int(math.Log(micros) / math.Log(bucketGrowth))
}

// Record adds one latency.
func (h *Histogram) Record(micros float64) {
	index := BucketIndex(micros)
	h.mu.Lock()
	h.buckets[index]++
	h.count++
	h.mu.Unlock()
}

// Snapshot returns the non-empty buckets as [index, count] pairs and resets nothing.
func (h *Histogram) Snapshot() [][2]int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	pairs := make([][2]int64, 0, len(h.buckets))
	for index, count := range h.buckets {
		pairs = append(pairs, [2]int64{int64(index), count})
	}
	return pairs
}

// Count is the number of recorded latencies.
func (h *Histogram) Count() int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.count
}
