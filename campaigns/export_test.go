package campaigns

// SetRunChunks makes the store's runs handle n leads per transaction and call after once each chunk is
// committed, so a test can watch a run between its chunks.
func SetRunChunks(s *Store, n int, after func(Run)) {
	s.chunk = n
	s.afterChunk = after
}
