package main

import (
	"sync"
	"sync/atomic"
)

// maxSteps bounds step ids (they index a fixed array).
const maxSteps = 4096

// StepCounters are the figures of one step, filled by publishers and read loops.
type StepCounters struct {
	sent      atomic.Int64
	histogram *Histogram
}

// Stats are the run's counters: per step for deliveries, per current step for acks and
// errors (replies carry no step id).
type Stats struct {
	steps          [maxSteps]StepCounters
	acks           atomic.Int64
	publishErrors  atomic.Int64
	lostConns      atomic.Int64
	staleDelivered atomic.Int64
	errorMu        sync.Mutex
	firstErrors    []string
}

// NewStats returns zeroed counters.
func NewStats() *Stats {
	stats := &Stats{}
	for index := range stats.steps {
		stats.steps[index].histogram = NewHistogram()
	}
	return stats
}

func (stats *Stats) delivered(step int, micros float64) {
	if step < 0 || step >= maxSteps {
		stats.staleDelivered.Add(1)
		return
	}
	stats.steps[step].histogram.Record(micros)
}

func (stats *Stats) acked() { stats.acks.Add(1) }

func (stats *Stats) publishError(frame []byte) {
	stats.publishErrors.Add(1)
	stats.noteError(string(frame))
}

func (stats *Stats) connectionLost(err error) {
	stats.lostConns.Add(1)
	stats.noteError("connection lost: " + err.Error())
}

// noteError keeps the first few error texts for the report.
func (stats *Stats) noteError(text string) {
	if len(text) > 300 {
		text = text[:300]
	}
	stats.errorMu.Lock()
	if len(stats.firstErrors) < 5 {
		stats.firstErrors = append(stats.firstErrors, text)
	}
	stats.errorMu.Unlock()
}

func (stats *Stats) errorSamples() []string {
	stats.errorMu.Lock()
	defer stats.errorMu.Unlock()
	return append([]string{}, stats.firstErrors...)
}
