package telegram

import "time"

// SetWebhookHeartbeat makes instances with a public URL check webhook mode every d until the test ends.
func SetWebhookHeartbeat(d time.Duration) (restore func()) {
	was := webhookHeartbeat
	webhookHeartbeat = d
	return func() { webhookHeartbeat = was }
}
