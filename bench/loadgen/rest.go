package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// RestOptions is one REST run: -rest create|list against -url (the node's base URL).
type RestOptions struct {
	Kind        string
	BaseURL     string
	Tokens      []string
	Concurrency int
	Duration    time.Duration
	PerToken    int
}

// runRest sends requests from Concurrency workers for Duration; worker i uses the tokens
// i, i+Concurrency, ... in turn, each at most PerToken times (the node limits requests
// per user, and a run must not be measuring 429s). It returns the run's figures.
func runRest(options RestOptions) map[string]any {
	client := &http.Client{
		Timeout:   30 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: options.Concurrency, MaxConnsPerHost: options.Concurrency},
	}
	histogram := NewHistogram()
	var statuses sync.Map
	var failures, sequence atomic.Int64
	cpuBefore, started := cpuSeconds(), time.Now()
	deadline := started.Add(options.Duration)
	var workers sync.WaitGroup
	for worker := range options.Concurrency {
		workers.Add(1)
		go func() {
			defer workers.Done()
			var mine []string
			for index := worker; index < len(options.Tokens); index += options.Concurrency {
				mine = append(mine, options.Tokens[index])
			}
			for round := 0; round < options.PerToken*len(mine) && time.Now().Before(deadline); round++ {
				request, err := restRequest(options, mine[round%len(mine)], sequence.Add(1))
				if err != nil {
					failures.Add(1)
					return
				}
				sent := time.Now()
				response, err := client.Do(request)
				if err != nil {
					failures.Add(1)
					continue
				}
				_, _ = io.Copy(io.Discard, response.Body)
				_ = response.Body.Close()
				histogram.Record(float64(time.Since(sent).Microseconds()))
				count, _ := statuses.LoadOrStore(response.StatusCode, new(atomic.Int64))
				count.(*atomic.Int64).Add(1)
			}
		}()
	}
	workers.Wait()
	wall := time.Since(started).Seconds()
	byStatus := map[string]int64{}
	statuses.Range(func(key, value any) bool {
		byStatus[fmt.Sprint(key)] = value.(*atomic.Int64).Load()
		return true
	})
	return map[string]any{
		"event": "rest", "kind": options.Kind, "requests": histogram.Count(),
		"statuses": byStatus, "failures": failures.Load(), "wall_seconds": wall,
		"histogram": histogram.Snapshot(), "cpu_seconds": cpuSeconds() - cpuBefore,
	}
}

func restRequest(options RestOptions, token string, sequence int64) (*http.Request, error) {
	var request *http.Request
	var err error
	switch options.Kind {
	case "create":
		body := fmt.Sprintf(`{"name":"bench room %d"}`, sequence)
		request, err = http.NewRequest(http.MethodPost, options.BaseURL+"/api/chat-rooms", bytes.NewBufferString(body))
		if err == nil {
			request.Header.Set("Content-Type", "application/json")
		}
	case "list":
		request, err = http.NewRequest(http.MethodGet, options.BaseURL+"/api/chat-rooms", nil)
	default:
		return nil, fmt.Errorf("unknown -rest %q (create, list)", options.Kind)
	}
	if err != nil {
		return nil, err
	}
	request.Header.Set("Authorization", "Bearer "+token)
	return request, nil
}
