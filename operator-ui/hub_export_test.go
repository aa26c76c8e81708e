package operatorui

// VisibleTo lets the external tests check the visibility rule directly.
var VisibleTo = visibleTo

// EncodeFrame lets the external tests check the frame format directly.
var EncodeFrame = encodeFrame

// FrameFor lets the external tests check what each user receives of an event.
var FrameFor = frameFor

// ParseAfter lets the external tests fuzz the websocket's resume parameter.
var ParseAfter = parseAfter
