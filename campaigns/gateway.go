package campaigns

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// ErrPrivateGateway is a campaign's SMS-gateway webhook that leads to an address inside the server's own network
// while DOZVON_SMS_ALLOW_PRIVATE is off.
var ErrPrivateGateway = errors.New("campaigns: the SMS gateway's address is loopback, private or link-local (set DOZVON_SMS_ALLOW_PRIVATE=true for a gateway inside the bank's network)")

// GatewayClient is the HTTP client that posts invitations to campaigns' SMS gateways. A manager types the
// gateway's URL, so it must not become the server's way into its own network: it follows no redirects (a 3xx is
// a failed post), and unless allowPrivate it refuses loopback, private, link-local, multicast and unspecified
// addresses at the moment it connects — after DNS, so a name that resolves to one, or changes to one between
// two lookups, is refused too. Without allowPrivate it also ignores HTTP_PROXY: a proxy would connect for it,
// past the check.
func GatewayClient(allowPrivate bool) *http.Client {
	d := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	proxy := http.ProxyFromEnvironment
	if !allowPrivate {
		d.Control = refusePrivate
		proxy = nil
	}
	return &http.Client{
		Transport: &http.Transport{Proxy: proxy, DialContext: d.DialContext, ForceAttemptHTTP2: true,
			TLSHandshakeTimeout: 10 * time.Second, MaxIdleConns: 10, IdleConnTimeout: 90 * time.Second},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// notPublic are the ranges netip has no predicate for: "this network" (0/8, which Linux connects to itself) and
// the carriers' shared space (100.64/10), used inside data centres as if private.
var notPublic = []netip.Prefix{netip.MustParsePrefix("0.0.0.0/8"), netip.MustParsePrefix("100.64.0.0/10")}

// refusePrivate is the dialer's last word on the address it is about to connect to.
func refusePrivate(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("campaigns: dial %s %s: %w", network, address, err)
	}
	ip := ap.Addr().Unmap()
	bad := ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified()
	for _, p := range notPublic {
		bad = bad || p.Contains(ip)
	}
	if bad {
		return fmt.Errorf("%w: %s", ErrPrivateGateway, ip)
	}
	return nil
}
