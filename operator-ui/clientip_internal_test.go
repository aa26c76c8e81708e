package operatorui

import (
	"net/netip"
	"testing"
)

func TestClientAddressBehindTrustedProxies(t *testing.T) {
	balancers := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/24"), netip.MustParsePrefix("fd00::/64")}
	for _, c := range []struct {
		name, peer string
		xff        []string
		trusted    []netip.Prefix
		want       string
	}{
		{"no proxies trusted: the header is ignored", "203.0.113.7:5000", []string{"198.51.100.1"}, nil, "203.0.113.7"},
		{"an untrusted peer cannot claim an address", "203.0.113.7:5000", []string{"198.51.100.1"}, balancers, "203.0.113.7"},
		{"through the balancer", "10.0.0.5:5000", []string{"198.51.100.1"}, balancers, "198.51.100.1"},
		{"a client's own header is not believed", "10.0.0.5:5000", []string{"1.2.3.4, 198.51.100.1"}, balancers, "198.51.100.1"},
		{"two trusted hops", "10.0.0.5:5000", []string{"6.6.6.6, 198.51.100.1, 10.0.0.9"}, balancers, "198.51.100.1"},
		{"headers are one list", "10.0.0.5:5000", []string{"6.6.6.6", "198.51.100.1"}, balancers, "198.51.100.1"},
		{"garbage from a trusted hop stops the walk", "10.0.0.5:5000", []string{"198.51.100.1, bogus, 10.0.0.9"}, balancers, "10.0.0.9"},
		{"only trusted hops: the left-most", "10.0.0.5:5000", []string{"10.0.0.8, 10.0.0.9"}, balancers, "10.0.0.8"},
		{"no header from the balancer", "10.0.0.5:5000", nil, balancers, "10.0.0.5"},
		{"IPv6 balancer", "[fd00::1]:5000", []string{"2001:db8::7"}, balancers, "2001:db8::7"},
		{"IPv4-mapped peer", "[::ffff:10.0.0.5]:5000", []string{"198.51.100.1"}, balancers, "198.51.100.1"},
	} {
		if got := clientAddr(c.peer, c.xff, c.trusted); got != netip.MustParseAddr(c.want) {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
}
