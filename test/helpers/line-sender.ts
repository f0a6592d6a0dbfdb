/** Tests feed socket sources through the same line server the strategy benchmark uses. */
export { startLineServer as lineSender } from '../../connectors/socket/line-server.ts';
