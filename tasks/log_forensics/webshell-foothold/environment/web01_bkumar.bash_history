#1770442898
df -h
#1770442918
systemctl status app
#1770452314
ls -la /srv
#1770452330
df -h
#1770460594
systemctl status app
#1770460638
uptime
#1770480875
df -h
#1770480905
journalctl -u nginx --since today
#1770481392
uptime
#1770481422
systemctl status app
#1770495986
uptime
#1770496082
ls -la /srv
#1770497124
systemctl status app
#1770497134
free -m
#1770518711
uptime
#1770518781
ls -la /srv
#1770523971
uptime
#1770524001
ls -la /srv
#1770529385
uptime
#1770529450
ls -la /srv
#1770535494
systemctl status app
#1770535600
journalctl -u nginx --since today
#1770545867
free -m
#1770545879
ls -la /srv
#1770564416
free -m
#1770564447
journalctl -u nginx --since today
#1770570301
systemctl status app
#1770570352
journalctl -u nginx --since today
#1770573145
tail -n 50 /var/log/syslog
#1770573185
df -h
#1770574189
systemctl status app
#1770574278
uptime
#1770583587
tail -n 50 /var/log/syslog
#1770583688
systemctl status app
#1770594144
free -m
#1770594223
systemctl status app
#1770601544
journalctl -u nginx --since today
#1770601564
uptime
#1770602937
systemctl status app
#1770603001
uptime
#1770625044
free -m
#1770625162
df -h
#1770636892
uptime
#1770636974
ls -la /srv
#1770641162
uptime
#1770641180
free -m
